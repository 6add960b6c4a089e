/* quantiles.c — levels, empirical quantiles, medians. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_io.h"
#include "pcs_quantiles.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
pcs_sort_doubles(double *x, size_t n)
{
	qsort(x, n, sizeof *x, cmp_double);
}

int
pcs_levels_parse(const char *list, double **levels, size_t *n, pcs_error *err)
{
	char *copy = strdup(list), *tok, *rest;
	double *v = NULL;
	size_t cnt = 0, cap = 0;

	if (copy == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (rest = *copy ? copy : NULL; rest && (tok = strsep(&rest, ",")) != NULL;) {
		double q;
		if (pcs_parse_double(tok, &q) != 0 || !(q > 0 && q < 1)) {
			pcs_error_set(err, PCS_EUSAGE, 0, NULL,
			              "not a quantile level in (0,1): \"%s\"", tok);
			goto fail;
		}
		double *nv = pcs_grow(v, cnt, &cap, sizeof *nv, 8);
		if (nv == NULL) {
			pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			goto fail;
		}
		v = nv;
		v[cnt++] = q;
	}
	if (cnt == 0) {
		pcs_error_set(err, PCS_EUSAGE, 0, NULL, "empty list of quantile levels");
		goto fail;
	}
	pcs_sort_doubles(v, cnt);
	for (size_t i = 1; i < cnt; i++)
		if (v[i] == v[i - 1]) {
			pcs_error_set(err, PCS_EUSAGE, 0, NULL, "quantile level %g given twice", v[i]);
			goto fail;
		}
	free(copy);
	*levels = v;
	*n = cnt;
	return 0;
fail:
	free(copy);
	free(v);
	return err ? err->code : PCS_EUSAGE;
}

void
pcs_level_name(double level, char *buf, size_t size)
{
	/* %.10g drops the trailing zeros and the binary noise of level*100 */
	snprintf(buf, size, "p%.10g", level * 100);
}

double
pcs_quantile_sorted(const double *sorted, size_t n, double q)
{
	double pos;
	size_t k;

	if (n == 0)
		return NAN;
	/* 1-based order statistic: ceil((n+1)q) above the median, floor below,
	 * so that each tail keeps at most its share of the n+1 exchangeable
	 * errors (Lei et al. 2018, "Distribution-free predictive inference for
	 * regression", JASA 113, section 2.2). */
	pos = q * (double)(n + 1);
	k = q >= 0.5 ? (size_t)ceil(pos - 1e-9) : (size_t)floor(pos + 1e-9);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

/* Hoare's selection: the k-th smallest of x[0..n), in expected linear time. */
static double
select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = x[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				double t = x[i];
				x[i] = x[j];
				x[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return x[k];
}

double
pcs_median(double *x, size_t n)
{
	double a, b;

	if (n == 0)
		return NAN;
	a = select_kth(x, n, (n - 1) / 2);
	if (n % 2)
		return a;
	b = select_kth(x, n, n / 2);
	return (a + b) / 2;
}

void
pcs_quantiles_monotone(double *v, size_t n, double floor)
{
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] >= floor))
			v[i] = floor;
		if (i > 0 && v[i] < v[i - 1])
			v[i] = v[i - 1];
	}
}

struct pair { double v, w; };

static int
cmp_pair(const void *a, const void *b)
{
	double x = ((const struct pair *)a)->v, y = ((const struct pair *)b)->v;

	return (x > y) - (x < y);
}

void
pcs_sort_pairs(double *v, double *w, size_t n)
{
	struct pair *p = malloc((n ? n : 1) * sizeof *p);

	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		p[i].v = v[i];
		p[i].w = w[i];
	}
	qsort(p, n, sizeof *p, cmp_pair);
	for (size_t i = 0; i < n; i++) {
		v[i] = p[i].v;
		w[i] = p[i].w;
	}
	free(p);
}

double
pcs_quantile_weighted(const double *sorted, const double *w, size_t n, double q)
{
	double total = 1, acc = 0;   /* 1: the weight of the point being predicted */

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	if (q >= 0.5) {
		for (size_t i = 0; i < n; i++) {
			acc += w[i];
			if (acc >= q * total * (1 - 1e-12))
				return sorted[i];
		}
		return sorted[n - 1];
	}
	for (size_t i = n; i-- > 0;) {
		acc += w[i];
		if (acc >= (1 - q) * total * (1 - 1e-12))
			return sorted[i];
	}
	return sorted[0];
}
