/* pcs_series.h — per-key sample storage and regularization to a fixed step.
 *
 * A store keeps the samples of every key (group, region).  Samples may arrive
 * out of order, with gaps and duplicates.  Samples older than the window
 * (relative to the key's newest sample) are dropped as input arrives, so the
 * memory held is proportional to keys x window, not to rows read.
 *
 * Two samples of a key with the same timestamp are duplicates: the last one
 * added wins, or with sum_duplicates they are summed (raw per-host rows).
 * When a series is regularized, the distinct timestamps that fall in one step
 * slot [k*step, (k+1)*step) are averaged (the value is a rate), and empty
 * slots are gaps (NaN).
 */
#ifndef PCS_SERIES_H
#define PCS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"

/* A regularized series: y[i] is the value of slot start + i*step, NaN for a
 * gap.  The first and last slots are observed. */
typedef struct pcs_series {
	int64_t start, step;
	size_t n;
	double *y;
	size_t samples;   /* distinct timestamps regularized */
	size_t merged;    /* of them, those that shared a slot with another */
} pcs_series;

void pcs_series_free(pcs_series *s);
/* 1 when every observed value of s is above 0 (logs can be taken), else 0. */
int pcs_series_positive(const pcs_series *s);

typedef struct pcs_store pcs_store;

/* window_s <= 0 keeps everything. */
pcs_store *pcs_store_new(int64_t window_s, int sum_duplicates);
void pcs_store_free(pcs_store *st);

/* Stable 64-bit hash of a key (FNV-1a over group, 0x1f, region, then the
 * fmix64 finalizer of MurmurHash3): the shard rule, the same on every
 * machine. */
uint64_t pcs_key_hash(const char *group, const char *region);

/* Keep samples only for the keys whose pcs_key_hash is k-1 modulo n
 * (1 <= k <= n); the others still count for step detection, so that every
 * shard detects the same step as an unsharded run.  Call before adding. */
void pcs_store_set_shard(pcs_store *st, unsigned long k, unsigned long n);

/* Refuse keys past max (0: no limit), so that a pathological stream ends
 * with an error instead of exhausting memory.  Keys outside the shard count
 * too: they are held for step detection. */
void pcs_store_set_max_keys(pcs_store *st, size_t max);

/* Add one sample.  Returns 0, PCS_ENOMEM, or PCS_ELIMIT for a key past the
 * limit. */
int pcs_store_add(pcs_store *st, const char *group, const char *region,
                  int64_t ts, double value, pcs_error *err);

/* Gather the keys of the shard sorted by group, then region (bytewise);
 * the key indexes below refer to this order.  0, or -1 on no memory. */
int pcs_store_sort(pcs_store *st);
/* The number of keys gathered by pcs_store_sort. */
size_t pcs_store_nkeys(const pcs_store *st);
const char *pcs_store_group(const pcs_store *st, size_t key);
const char *pcs_store_region(const pcs_store *st, size_t key);

/* The step: the median over keys (all keys, in the shard or not) of the
 * median spacing between each key's first 33 distinct timestamps; 0 when no
 * key has two distinct timestamps. */
int64_t pcs_store_detect_step(const pcs_store *st);

/* The most slots a regularized series may have (64 Mi: 512 MiB of values). */
#define PCS_SERIES_MAX_SLOTS (INT64_C(1) << 26)

/* Regularize key's samples to step (see above).  Returns 0, PCS_EDATA when
 * the key has no samples or they span more than PCS_SERIES_MAX_SLOTS
 * steps, or PCS_ENOMEM. */
int pcs_store_series(pcs_store *st, size_t key, int64_t step, pcs_series *out,
                     pcs_error *err);

#endif
