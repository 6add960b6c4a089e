/* pcs_strset.h — a set of strings (open addressing, FNV-1a). */
#ifndef PCS_STRSET_H
#define PCS_STRSET_H

#include <stddef.h>

typedef struct pcs_strset pcs_strset;

pcs_strset *pcs_strset_new(void);
void pcs_strset_free(pcs_strset *s);
/* 1 if s was added, 0 if it was there already, -1 on no memory. */
int pcs_strset_add(pcs_strset *set, const char *s);
int pcs_strset_has(const pcs_strset *set, const char *s);
size_t pcs_strset_count(const pcs_strset *set);

#endif
