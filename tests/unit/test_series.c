/* Unit tests: the keyed store, windows, duplicates, regularization. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

int
main(void)
{
	pcs_store *st = pcs_store_new(0, 0);
	pcs_series s;
	pcs_error err;

	/* out of order, a duplicate (last wins), a gap, two samples in one slot */
	pcs_store_add(st, "web", "eu", 600, 3, &err);
	pcs_store_add(st, "web", "eu", 0, 1, &err);
	pcs_store_add(st, "web", "eu", 300, 2, &err);
	pcs_store_add(st, "web", "eu", 300, 20, &err);
	pcs_store_add(st, "web", "eu", 1200, 5, &err);
	pcs_store_add(st, "web", "eu", 1260, 7, &err);
	pcs_store_add(st, "api", "*", 60, 1, &err);
	pcs_store_add(st, "api", "*", 120, 1, &err);
	ok(pcs_store_sort(st) == 0 && pcs_store_nkeys(st) == 2, "two keys");
	is_str(pcs_store_group(st, 0), "api", "keys sorted by group");
	is_str(pcs_store_region(st, 1), "eu", "region kept");
	ok(pcs_store_series(st, 1, 300, &s, &err) == 0 && s.n == 5 && s.start == 0, "5 slots");
	ok(s.y[0] == 1 && s.y[1] == 20 && s.y[2] == 3 && isnan(s.y[3]) && s.y[4] == 6,
	   "duplicate: last wins; gap NaN; one slot averages its samples");
	ok(s.samples == 5 && s.merged == 1, "5 distinct timestamps, 1 merged into a shared slot");
	pcs_series_free(&s);
	pcs_store_free(st);

	st = pcs_store_new(0, 1);
	pcs_store_add(st, "g", "*", 0, 1, &err);
	pcs_store_add(st, "g", "*", 0, 2, &err);
	pcs_store_add(st, "g", "*", 60, 4, &err);
	pcs_store_sort(st);
	pcs_store_series(st, 0, 60, &s, &err);
	ok(s.n == 2 && s.y[0] == 3 && s.y[1] == 4, "--sum-duplicates sums equal timestamps");
	pcs_series_free(&s);
	ok(pcs_store_detect_step(st) == 60, "step detected");
	pcs_store_free(st);

	/* a window: 10,000 rows, only the last hour kept */
	st = pcs_store_new(3600, 0);
	for (int i = 0; i < 10000; i++)
		pcs_store_add(st, "g", "*", (int64_t)i * 60, i, &err);
	pcs_store_sort(st);
	pcs_store_series(st, 0, 60, &s, &err);
	ok(s.n == 60 && s.y[59] == 9999 && s.y[0] == 9940, "window keeps the newest hour");
	pcs_series_free(&s);
	pcs_store_free(st);

	/* the shard rule: stable hash, and every shard sees the same step */
	ok(pcs_key_hash("web", "eu") == UINT64_C(0x3f0049a5e4ae8933), "FNV-1a + fmix64 of \"web\\x1feu\"");
	{
		uint64_t h = pcs_key_hash("web", "eu");
		int ok_all = 1;
		for (unsigned long k = 1; k <= 3; k++) {
			st = pcs_store_new(0, 0);
			pcs_store_set_shard(st, k, 3);
			pcs_store_add(st, "web", "eu", 0, 1, &err);
			pcs_store_add(st, "web", "eu", 300, 1, &err);
			pcs_store_add(st, "other", "*", 0, 1, &err);
			pcs_store_add(st, "other", "*", 300, 1, &err);
			pcs_store_sort(st);
			if (pcs_store_detect_step(st) != 300)
				ok_all = 0;
			int has_web = 0;
			for (size_t i = 0; i < pcs_store_nkeys(st); i++)
				has_web |= strcmp(pcs_store_group(st, i), "web") == 0;
			if (has_web != (h % 3 == k - 1))
				ok_all = 0;
			pcs_store_free(st);
		}
		ok(ok_all, "shards keep their keys and agree on the step");
	}
	return tap_done();
}
