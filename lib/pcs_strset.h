/* pcs_strset.h — a set of strings, each with a number attached (open
 * addressing, FNV-1a). */
#ifndef PCS_STRSET_H
#define PCS_STRSET_H

#include <stddef.h>

typedef struct pcs_strset pcs_strset;

pcs_strset *pcs_strset_new(void);
void pcs_strset_free(pcs_strset *s);
/* 1 if s was added, 0 if it was there already, -1 on no memory. */
int pcs_strset_add(pcs_strset *set, const char *s);
int pcs_strset_has(const pcs_strset *set, const char *s);
/* Attach val to s (adding s if needed): 0, or -1 on no memory. */
int pcs_strset_put(pcs_strset *set, const char *s, size_t val);
/* The number attached to s: 1 and *val, or 0 when s is not in the set. */
int pcs_strset_get(const pcs_strset *set, const char *s, size_t *val);

#endif
