/* pcs_grow.h — room for one more element in an array that doubles.
 *
 * The library's and the tools' growing arrays all follow one rule: when
 * full, double (or start at a first size).  One function, so that the
 * rule and its overflow check are written once.
 */
#ifndef PCS_GROW_H
#define PCS_GROW_H

#include <stddef.h>

/* Room for one more element of size bytes in the array p, which holds n
 * elements in room for *cap: p itself when n < *cap; else p moved to
 * twice the room (first elements the first time) and *cap updated.  NULL
 * when out of memory or when the new size would not fit a size_t: p (still
 * valid, still the caller's to free) and *cap are then untouched. */
void *pcs_grow(void *p, size_t n, size_t *cap, size_t size, size_t first);

#endif
