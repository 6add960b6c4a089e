/* series.c — keyed sample store with windowing and regularization. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_series.h"

/* Distinct timestamps per key that the step is detected from. */
#define STEP_SKETCH 33

struct sample {
	int64_t ts;
	double v;
};

struct key {
	char *name;          /* group "\0" region "\0" */
	const char *region;
	uint64_t hash;
	struct sample *s;
	size_t n, cap;
	int64_t newest;
	int sorted;          /* s[] is in non-decreasing time order */
	int in_shard;        /* samples are kept; otherwise only the sketch */
	unsigned nearly;
	int64_t early[STEP_SKETCH];   /* first distinct timestamps, ascending */
};

struct pcs_store {
	int64_t window;
	int sum_duplicates;
	struct key **keys;   /* every key seen, in insertion order */
	size_t nkeys, keys_cap;
	struct key **out;    /* the keys of this shard, sorted by pcs_store_sort */
	size_t nout;
	uint64_t shard_k, shard_n;
	struct key **table;  /* open addressing, power-of-two size */
	size_t table_size;
	struct key *last;    /* one-entry cache: consecutive rows often share a key */
	size_t max_keys;     /* 0: no limit */
	int over_limit;      /* the last lookup failed on max_keys, not memory */
};

/* FNV-1a (Fowler, Noll, Vo; draft-eastlake-fnv) over group, 0x1f, region,
 * then MurmurHash3's 64-bit finalizer (fmix64): FNV-1a alone leaves its low
 * bits weakly mixed (the lowest is the parity of the bytes), and shards are
 * taken modulo N. */
uint64_t
pcs_key_hash(const char *group, const char *region)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const unsigned char *p;

	for (p = (const unsigned char *)group; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	h = (h ^ 0x1f) * UINT64_C(1099511628211);
	for (p = (const unsigned char *)region; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

pcs_store *
pcs_store_new(int64_t window_s, int sum_duplicates)
{
	pcs_store *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	st->window = window_s;
	st->sum_duplicates = sum_duplicates;
	st->table_size = 64;
	st->table = calloc(st->table_size, sizeof *st->table);
	if (st->table == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
pcs_store_free(pcs_store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->nkeys; i++) {
		free(st->keys[i]->name);
		free(st->keys[i]->s);
		free(st->keys[i]);
	}
	free(st->keys);
	free(st->out);
	free(st->table);
	free(st);
}

void
pcs_series_free(pcs_series *s)
{
	if (s) {
		free(s->y);
		s->y = NULL;
		s->n = 0;
	}
}

int
pcs_series_positive(const pcs_series *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->y[i]) && !(s->y[i] > 0))
			return 0;
	return 1;
}

static int
key_matches(const struct key *k, const char *group, const char *region)
{
	return strcmp(k->name, group) == 0 && strcmp(k->region, region) == 0;
}

static int
table_grow(pcs_store *st)
{
	size_t ns = st->table_size * 2;
	struct key **nt = calloc(ns, sizeof *nt);

	if (nt == NULL)
		return -1;
	for (size_t i = 0; i < st->nkeys; i++) {
		size_t j = st->keys[i]->hash & (ns - 1);
		while (nt[j])
			j = (j + 1) & (ns - 1);
		nt[j] = st->keys[i];
	}
	free(st->table);
	st->table = nt;
	st->table_size = ns;
	return 0;
}

static struct key *
lookup(pcs_store *st, const char *group, const char *region)
{
	uint64_t h;
	size_t j, gl, rl;
	struct key *k, **nk;

	if (st->last && key_matches(st->last, group, region))
		return st->last;
	h = pcs_key_hash(group, region);
	for (j = h & (st->table_size - 1); st->table[j]; j = (j + 1) & (st->table_size - 1))
		if (st->table[j]->hash == h && key_matches(st->table[j], group, region))
			return st->last = st->table[j];
	if (st->max_keys && st->nkeys >= st->max_keys) {
		st->over_limit = 1;
		return NULL;
	}
	if ((st->nkeys + 1) * 2 > st->table_size) {
		if (table_grow(st) != 0)
			return NULL;
		for (j = h & (st->table_size - 1); st->table[j]; j = (j + 1) & (st->table_size - 1))
			;
	}
	if ((nk = pcs_grow(st->keys, st->nkeys, &st->keys_cap, sizeof *nk, 16)) == NULL)
		return NULL;
	st->keys = nk;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return NULL;
	gl = strlen(group);
	rl = strlen(region);
	if ((k->name = malloc(gl + rl + 2)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(k->name, group, gl + 1);
	memcpy(k->name + gl + 1, region, rl + 1);
	k->region = k->name + gl + 1;
	k->hash = h;
	k->sorted = 1;
	k->in_shard = st->shard_n < 2 || h % st->shard_n == st->shard_k - 1;
	st->table[j] = k;
	st->keys[st->nkeys++] = k;
	return st->last = k;
}

/* Stable merge sort by time, so that among equal timestamps the sample added
 * last stays last (it wins, unless duplicates are summed). */
static void
merge_sort(struct sample *a, struct sample *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(a, tmp, mid);
	merge_sort(a + mid, tmp, n - mid);
	if (a[mid - 1].ts <= a[mid].ts)
		return;
	while (i < mid && j < n)
		tmp[k++] = a[j].ts < a[i].ts ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

/* Sort, merge duplicates and drop what fell out of the window. */
static int
compact(pcs_store *st, struct key *k)
{
	size_t out = 0;
	int64_t cutoff;

	if (!k->sorted) {
		struct sample *tmp = malloc(k->n * sizeof *tmp);
		if (tmp == NULL)
			return -1;
		merge_sort(k->s, tmp, k->n);
		free(tmp);
	}
	cutoff = st->window > 0 ? k->newest - st->window : INT64_MIN;
	for (size_t i = 0; i < k->n; i++) {
		if (k->s[i].ts <= cutoff)
			continue;
		if (out > 0 && k->s[out - 1].ts == k->s[i].ts) {
			if (st->sum_duplicates)
				k->s[out - 1].v += k->s[i].v;
			else
				k->s[out - 1].v = k->s[i].v;
			continue;
		}
		k->s[out++] = k->s[i];
	}
	k->n = out;
	k->sorted = 1;
	return 0;
}

void
pcs_store_set_shard(pcs_store *st, unsigned long k, unsigned long n)
{
	st->shard_k = k;
	st->shard_n = n;
}

/* Remember the key's first STEP_SKETCH distinct timestamps. */
static void
sketch(struct key *k, int64_t ts)
{
	unsigned i = k->nearly;

	if (i == STEP_SKETCH)
		return;
	while (i > 0 && k->early[i - 1] > ts)
		i--;
	if (i > 0 && k->early[i - 1] == ts)
		return;
	memmove(k->early + i + 1, k->early + i, (k->nearly - i) * sizeof *k->early);
	k->early[i] = ts;
	k->nearly++;
}

void
pcs_store_set_max_keys(pcs_store *st, size_t max)
{
	st->max_keys = max;
}

int
pcs_store_add(pcs_store *st, const char *group, const char *region, int64_t ts,
              double value, pcs_error *err)
{
	struct key *k = lookup(st, group, region);

	if (k == NULL && st->over_limit)
		return pcs_error_set(err, PCS_ELIMIT, 0, NULL,
		                     "more than %zu keys (group and region): raise --max-keys",
		                     st->max_keys);
	if (k == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	sketch(k, ts);
	if (!k->in_shard)
		return 0;
	if (k->n == k->cap) {
		/* Compact first when that frees room; grow only when it does not,
		 * so the array stays within twice the samples in the window. */
		if (k->cap >= 64 && compact(st, k) != 0)
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		if (k->n * 2 > k->cap || k->cap < 64) {
			size_t nc = k->cap ? k->cap * 2 : 16;
			struct sample *ns = realloc(k->s, nc * sizeof *ns);
			if (ns == NULL)
				return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			k->s = ns;
			k->cap = nc;
		}
	}
	if (k->n > 0 && ts < k->s[k->n - 1].ts)
		k->sorted = 0;
	if (k->n == 0 || ts > k->newest)
		k->newest = ts;
	k->s[k->n].ts = ts;
	k->s[k->n].v = value;
	k->n++;
	return 0;
}

size_t
pcs_store_nkeys(const pcs_store *st)
{
	return st->nout;
}

static int
cmp_keys(const void *a, const void *b)
{
	const struct key *x = *(struct key *const *)a, *y = *(struct key *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->region, y->region);
}

int
pcs_store_sort(pcs_store *st)
{
	free(st->out);
	st->nout = 0;
	if ((st->out = malloc((st->nkeys + 1) * sizeof *st->out)) == NULL)
		return -1;
	for (size_t i = 0; i < st->nkeys; i++)
		if (st->keys[i]->in_shard)
			st->out[st->nout++] = st->keys[i];
	qsort(st->out, st->nout, sizeof *st->out, cmp_keys);
	return 0;
}

const char *
pcs_store_group(const pcs_store *st, size_t key)
{
	return st->out[key]->name;
}

const char *
pcs_store_region(const pcs_store *st, size_t key)
{
	return st->out[key]->region;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t
pcs_store_detect_step(const pcs_store *st)
{
	int64_t *med = malloc((st->nkeys + 1) * sizeof *med), d[STEP_SKETCH], step = 0;
	size_t nmed = 0;

	if (med == NULL)
		return 0;
	for (size_t i = 0; i < st->nkeys; i++) {
		const struct key *k = st->keys[i];
		size_t nd = 0;

		for (unsigned j = 1; j < k->nearly; j++)
			d[nd++] = k->early[j] - k->early[j - 1];
		if (nd == 0)
			continue;
		qsort(d, nd, sizeof *d, cmp_i64);
		med[nmed++] = d[(nd - 1) / 2];
	}
	if (nmed > 0) {
		qsort(med, nmed, sizeof *med, cmp_i64);
		step = med[(nmed - 1) / 2];
	}
	free(med);
	return step;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int
pcs_store_series(pcs_store *st, size_t key, int64_t step, pcs_series *out,
                 pcs_error *err)
{
	struct key *k = st->out[key];
	int64_t first, last;
	unsigned *cnt;

	memset(out, 0, sizeof *out);
	if (compact(st, k) != 0)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	if (k->n == 0)
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "no samples");
	first = floor_div(k->s[0].ts, step);
	last = floor_div(k->s[k->n - 1].ts, step);
	/* two samples centuries apart at a step of seconds would ask for
	 * terabytes (found by fuzz/fuzz_pcs_replay: pcs-replay keeps every
	 * sample) */
	if (last - first >= PCS_SERIES_MAX_SLOTS)
		return pcs_error_set(err, PCS_EDATA, 0, NULL,
		                     "the samples span %lld steps of %llds, more than %lld: "
		                     "give a larger step or a shorter history",
		                     (long long)(last - first + 1), (long long)step,
		                     (long long)PCS_SERIES_MAX_SLOTS);
	out->start = first * step;
	out->step = step;
	out->n = (size_t)(last - first + 1);
	out->y = malloc(out->n * sizeof *out->y);
	cnt = calloc(out->n, sizeof *cnt);
	if (out->y == NULL || cnt == NULL) {
		free(cnt);
		pcs_series_free(out);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	for (size_t i = 0; i < out->n; i++)
		out->y[i] = 0;
	for (size_t i = 0; i < k->n; i++) {
		size_t slot = (size_t)(floor_div(k->s[i].ts, step) - first);
		out->y[slot] += k->s[i].v;
		cnt[slot]++;
	}
	out->samples = k->n;
	for (size_t i = 0; i < out->n; i++) {
		out->y[i] = cnt[i] ? out->y[i] / cnt[i] : NAN;
		if (cnt[i] > 1)
			out->merged += cnt[i] - 1;
	}
	free(cnt);
	return 0;
}
