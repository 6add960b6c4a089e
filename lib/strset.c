/* strset.c — a set of strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_strset.h"

struct pcs_strset {
	char **slot;
	size_t *val;
	size_t size, count;   /* size: a power of two */
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h ^ (h >> 29);
}

pcs_strset *
pcs_strset_new(void)
{
	pcs_strset *set = calloc(1, sizeof *set);

	if (set == NULL)
		return NULL;
	set->size = 64;
	set->slot = calloc(set->size, sizeof *set->slot);
	set->val = calloc(set->size, sizeof *set->val);
	if (set->slot == NULL || set->val == NULL) {
		free(set->slot);
		free(set->val);
		free(set);
		return NULL;
	}
	return set;
}

void
pcs_strset_free(pcs_strset *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->size; i++)
		free(set->slot[i]);
	free(set->slot);
	free(set->val);
	free(set);
}

static size_t
find(const pcs_strset *set, const char *s)
{
	size_t i = fnv1a(s) & (set->size - 1);

	while (set->slot[i] && strcmp(set->slot[i], s) != 0)
		i = (i + 1) & (set->size - 1);
	return i;
}

int
pcs_strset_has(const pcs_strset *set, const char *s)
{
	return set->slot[find(set, s)] != NULL;
}

int
pcs_strset_add(pcs_strset *set, const char *s)
{
	size_t i = find(set, s);

	if (set->slot[i])
		return 0;
	if ((set->count + 1) * 2 > set->size) {
		char **old = set->slot;
		size_t *oldval = set->val, oldsize = set->size;
		set->slot = calloc(oldsize * 2, sizeof *set->slot);
		set->val = calloc(oldsize * 2, sizeof *set->val);
		if (set->slot == NULL || set->val == NULL) {
			free(set->slot);
			free(set->val);
			set->slot = old;
			set->val = oldval;
			return -1;
		}
		set->size = oldsize * 2;
		for (size_t k = 0; k < oldsize; k++)
			if (old[k]) {
				size_t j = find(set, old[k]);
				set->slot[j] = old[k];
				set->val[j] = oldval[k];
			}
		free(old);
		free(oldval);
		i = find(set, s);
	}
	if ((set->slot[i] = strdup(s)) == NULL)
		return -1;
	set->count++;
	return 1;
}

int
pcs_strset_put(pcs_strset *set, const char *s, size_t val)
{
	if (pcs_strset_add(set, s) < 0)
		return -1;
	set->val[find(set, s)] = val;
	return 0;
}

int
pcs_strset_get(const pcs_strset *set, const char *s, size_t *val)
{
	size_t i = find(set, s);

	if (set->slot[i] == NULL)
		return 0;
	*val = set->val[i];
	return 1;
}

