/* Unit tests: pcs_grow, the doubling rule of every growing array. */
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

int
main(void)
{
	size_t cap = 0, n = 0;
	int *v = NULL, ok_all = 1;

	/* the first call gives the first size, then the room doubles */
	v = pcs_grow(v, n, &cap, sizeof *v, 4);
	ok(v != NULL && cap == 4, "empty: room for the first size (cap %zu)", cap);
	for (int i = 0; i < 100; i++) {
		int *nv = pcs_grow(v, n, &cap, sizeof *nv, 4);
		if (nv == NULL) {
			ok_all = 0;
			break;
		}
		v = nv;
		v[n++] = i;
	}
	for (size_t i = 0; i < n; i++)
		ok_all &= v[i] == (int)i;
	ok(ok_all && n == 100 && cap == 128, "100 pushes keep every element, room 4 -> 128 (%zu)", cap);

	/* room left: the same array, nothing moved or changed */
	{
		size_t c = 8;
		int *p = pcs_grow(v, 3, &c, sizeof *p, 4);
		ok(p == v && c == 8, "with room left, the same array and room");
	}

	/* a room that would not fit a size_t: NULL, the array and room untouched */
	{
		size_t c = SIZE_MAX / 2 + 1;
		int *p = pcs_grow(v, c, &c, 1, 4);
		ok(p == NULL && c == SIZE_MAX / 2 + 1, "doubling past SIZE_MAX: NULL, room untouched");
		c = SIZE_MAX / sizeof *v / 2 + 1;
		p = pcs_grow(v, c, &c, sizeof *v, 4);
		ok(p == NULL && c == SIZE_MAX / sizeof *v / 2 + 1,
		   "bytes past SIZE_MAX: NULL, room untouched");
		ok(v[99] == 99, "the array is still the caller's after a refusal");
	}
	free(v);
	return tap_done();
}
