/* grow.c — room for one more element in an array that doubles (see
 * pcs_grow.h). */
#include <stdint.h>
#include <stdlib.h>

#include "pcs_grow.h"

void *
pcs_grow(void *p, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t nc;

	if (n < *cap)
		return p;
	nc = *cap ? *cap * 2 : first;
	if (nc <= *cap || size == 0 || nc > SIZE_MAX / size)
		return NULL;
	if ((p = realloc(p, nc * size)) != NULL)
		*cap = nc;
	return p;
}
