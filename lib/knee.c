/* knee.c — the load at which a metric breaks away from its baseline, by
 * segmented least squares on bin medians (see pcs_knee.h). */
#include <math.h>
#include <stdlib.h>

#include "pcs_knee.h"
#include "pcs_quantiles.h"

struct xy {
	double x, y;
};

/* The bin medians, loads scaled to [0,1], and the straight line's fit on
 * them: every candidate k is judged against the same line. */
struct line {
	const double *u, *y, *w, *r;   /* scaled loads, metric, weights, line residuals */
	size_t m;
	double sw, ubar, ybar, suu, beta, rss;
};

struct hinge {
	double k, c, rss;
	double h1, h2;   /* sum w h and sum w h (u - ubar), for the intercept and slope */
	int ok;
};

void
pcs_knee_defaults(struct pcs_knee_params *p)
{
	p->min_samples = 50;
	p->min_above = 10;
	p->alpha = 0.001;
	p->min_rise = 0.5;
}

const char *
pcs_knee_status_name(int status)
{
	static const char *const names[] = { "found", "too-few", "not-reached", "flat" };

	return status >= 0 && status <= 3 ? names[status] : "?";
}

static int
cmp_xy(const void *a, const void *b)
{
	const struct xy *p = a, *q = b;

	if (p->x != q->x)
		return (p->x > q->x) - (p->x < q->x);
	return (p->y > q->y) - (p->y < q->y);
}

/* The hinge with its break at k, in the added-variable form (Frisch-Waugh-
 * Lovell): with r the line's residuals and h' the part of h = max(0, u - k)
 * that the line does not span, c = h.r / |h'|^2 and RSS = RSS_line -
 * (h.r)^2 / |h'|^2, since h'.r = h.r when r is orthogonal to the line.
 * A hinge the line already spans (k at or past every load) is no fit. */
static struct hinge
hinge_at(const struct line *L, double k)
{
	struct hinge f = { k, 0, L->rss, 0, 0, 0 };
	double hh = 0, hr = 0, hp;

	for (size_t i = 0; i < L->m; i++) {
		double h = L->u[i] > k ? L->u[i] - k : 0, wh = L->w[i] * h;
		hh += wh * h;
		hr += wh * L->r[i];
		f.h1 += wh;
		f.h2 += wh * (L->u[i] - L->ubar);
	}
	hp = hh - f.h1 * f.h1 / L->sw - f.h2 * f.h2 / L->suu;
	if (!(hh > 0) || !(hp > 1e-9 * hh))
		return f;
	f.c = hr / hp;
	f.rss = fmax(0, L->rss - hr * hr / hp);
	f.ok = 1;
	return f;
}

/* Golden-section search for the least RSS with k in [lo, hi], two
 * neighbouring bin loads.  Between them the explained part (h.r)^2 / |h'|^2
 * is the square of a linear function of k over a quadratic one; its
 * derivative vanishes at one k besides that zero, so RSS has at most one
 * interior minimum there. */
static struct hinge
refine(const struct line *L, double lo, double hi)
{
	const double g = (sqrt(5.0) - 1) / 2;
	double a = lo, b = hi;
	struct hinge f1 = hinge_at(L, b - g * (b - a)), f2 = hinge_at(L, a + g * (b - a));

	for (int it = 0; it < 80 && b - a > 1e-12; it++) {
		if (f1.rss <= f2.rss) {
			b = f2.k;
			f2 = f1;
			f1 = hinge_at(L, b - g * (b - a));
		} else {
			a = f1.k;
			f1 = f2;
			f2 = hinge_at(L, a + g * (b - a));
		}
	}
	return f1.rss <= f2.rss ? f1 : f2;
}

/* Cut the pairs, sorted by load, into m equal-count bins and keep each
 * bin's median load and median metric. */
static void
bin_medians(const struct xy *d, size_t n, size_t m, double *xb, double *yb, double *scratch)
{
	for (size_t j = 0; j < m; j++) {
		size_t lo = j * n / m, len = (j + 1) * n / m - lo;
		xb[j] = (d[lo + (len - 1) / 2].x + d[lo + len / 2].x) / 2;
		for (size_t i = 0; i < len; i++)
			scratch[i] = d[lo + i].y;
		yb[j] = pcs_median(scratch, len);
	}
}

/* The variance of each bin's median: asymptotically 1 / (4 len f(median)^2),
 * (pi/2) sigma^2 / len for a normal sample (David & Nagaraja, Order
 * Statistics, 3rd ed. 2003, chapter 10), with sigma 1.4826 times the median
 * absolute deviation from the local trend, the line through the neighbouring
 * bins' medians: on a steep stretch the metric varies across one bin's
 * loads, and that is no noise. */
static void
bin_variances(const struct xy *d, size_t n, size_t m, const double *xb, const double *yb,
              double *vb, double *scratch)
{
	for (size_t j = 0; j < m; j++) {
		size_t lo = j * n / m, len = (j + 1) * n / m - lo;
		size_t a = j > 0 ? j - 1 : j, b = j + 1 < m ? j + 1 : j;
		double slope = xb[b] > xb[a] ? (yb[b] - yb[a]) / (xb[b] - xb[a]) : 0, sd;
		for (size_t i = 0; i < len; i++)
			scratch[i] = fabs(d[lo + i].y - yb[j] - slope * (d[lo + i].x - xb[j]));
		sd = 1.4826 * pcs_median(scratch, len);
		vb[j] = M_PI / 2 * sd * sd / (double)len;
	}
}

/* Inverse-variance weights from the bins' own spread: latency spreads more
 * as load grows, and without them the few bins far past the knee would
 * dominate the fit and drag the line below it.  A handful of samples gives
 * a rough variance, so each is the median of its bin's and its neighbours'
 * (the three nearest at either end), and none is taken below a tenth of the
 * median positive one, so that no bin outweighs ten typical ones (a bin of
 * identical values has none).  All variances 0, a noiseless curve, means
 * equal weights. */
static void
bin_weights(const double *vb, double *w, double *scratch, size_t m)
{
	double t[3], least;
	size_t np = 0;

	for (size_t j = 0; j < m; j++) {
		size_t c = j == 0 ? 1 : j == m - 1 ? m - 2 : j;   /* m >= 6 */
		t[0] = vb[c - 1];
		t[1] = vb[c];
		t[2] = vb[c + 1];
		w[j] = pcs_median(t, 3);
		if (w[j] > 0)
			scratch[np++] = w[j];
	}
	least = np > 0 ? pcs_median(scratch, np) / 10 : 0;
	for (size_t j = 0; j < m; j++)
		w[j] = np > 0 ? 1 / fmax(w[j], least) : 1;
}

/* The weighted straight line through the bins, whose residuals every
 * candidate hinge is judged against. */
static void
line_fit(struct line *L, double *r)
{
	double suy = 0;

	for (size_t j = 0; j < L->m; j++) {
		L->sw += L->w[j];
		L->ubar += L->w[j] * L->u[j];
		L->ybar += L->w[j] * L->y[j];
	}
	L->ubar /= L->sw;
	L->ybar /= L->sw;
	for (size_t j = 0; j < L->m; j++) {
		double du = L->u[j] - L->ubar;
		L->suu += L->w[j] * du * du;
		suy += L->w[j] * du * (L->y[j] - L->ybar);
	}
	L->beta = suy / L->suu;
	for (size_t j = 0; j < L->m; j++) {
		r[j] = L->y[j] - L->ybar - L->beta * (L->u[j] - L->ubar);
		L->rss += L->w[j] * r[j] * r[j];
	}
	L->r = r;
}

/* The best break over the candidates in [lo, hi]: every distinct bin load
 * there (and lo itself), then golden-section search between the best and
 * each neighbour.  cand has room for m values. */
static struct hinge
search(const struct line *L, double lo, double hi, double *cand)
{
	struct hinge best = { 0, 0, 0, 0, 0, 0 };
	size_t nc = 0, bi = 0;

	cand[nc++] = lo;
	for (size_t j = 0; j < L->m; j++)
		if (L->u[j] > cand[nc - 1] && L->u[j] <= hi)
			cand[nc++] = L->u[j];
	for (size_t i = 0; i < nc; i++) {
		struct hinge f = hinge_at(L, cand[i]);
		if (f.ok && (!best.ok || f.rss < best.rss)) {
			best = f;
			bi = i;
		}
	}
	if (!best.ok)
		return best;
	for (int side = 0; side < 2; side++) {
		struct hinge f;
		if (side == 0 ? bi == 0 : bi + 1 == nc)
			continue;
		f = side == 0 ? refine(L, cand[bi - 1], cand[bi]) : refine(L, cand[bi], cand[bi + 1]);
		if (f.ok && f.rss < best.rss)
			best = f;
	}
	return best;
}

/* P(F > f) for F(2, nu) in closed form: Q = I_x(nu/2, 1) with x = nu /
 * (nu + 2f) (Abramowitz & Stegun 26.6.2), and I_x(a, 1) = x^a. */
static double
fdist2_q(double f, double nu)
{
	return exp(-nu / 2 * log1p(2 * f / nu));
}

/* Fit the bins (loads xb, medians yb, weights w; u, r and cand are room
 * for m values each) and judge the break by the rules of pcs_knee.h. */
static void
fit_bins(const double *xb, const double *yb, const double *w, double *u, double *r,
         double *cand, size_t m, const struct xy *d, size_t n,
         const struct pcs_knee_params *p, struct pcs_knee *out)
{
	struct line L = { u, yb, w, NULL, m, 0, 0, 0, 0, 0, 0 };
	struct hinge best;
	double x0 = xb[0], range = xb[m - 1] - xb[0], ssq = 0, lo, a, b, umax;
	size_t above = 0;

	if (!(range > 0))
		return;
	for (size_t j = 0; j < m; j++) {
		u[j] = (xb[j] - x0) / range;
		ssq += w[j] * yb[j] * yb[j];
	}
	line_fit(&L, r);
	/* k from the 5% load quantile, with two bins at or below it, to the
	 * load that leaves two bins above */
	lo = fmax((d[(size_t)(0.05 * (double)(n - 1))].x - x0) / range, u[1]);
	if (!(lo <= u[m - 3]))
		return;
	best = search(&L, lo, u[m - 3], cand);
	if (!best.ok)
		return;

	out->status = PCS_KNEE_NOT_REACHED;
	/* a line that fits to rounding (a constant metric, say an error rate
	 * of 0) leaves no break to test */
	if (!(L.rss > 1e-20 * ssq))
		out->p_value = 1;
	else if (!(best.rss > 0))
		out->p_value = 0;
	else
		out->p_value = fdist2_q((L.rss - best.rss) / 2 / (best.rss / (double)(m - 4)),
		                        (double)(m - 4));
	if (!(out->p_value < p->alpha)) {
		out->baseline = L.ybar - L.beta * L.ubar;
		out->slope_below = out->slope_above = L.beta / range;
		return;
	}
	b = L.beta - best.c * best.h2 / L.suu;
	a = L.ybar - best.c * best.h1 / L.sw - b * L.ubar;
	out->baseline = a;
	out->slope_below = b / range;
	out->slope_above = (b + best.c) / range;
	for (size_t i = n; i-- > 0 && (d[i].x - x0) / range > best.k;)
		above++;
	out->n_above = above;
	if (!(best.c > 0)) {
		/* levelling off is a finding only after a rise that matters */
		if (b * best.k >= p->min_rise * fabs(a))
			out->status = PCS_KNEE_FLAT;
		return;
	}
	umax = (d[n - 1].x - x0) / range;
	if (above < p->min_above || b * umax + best.c * (umax - best.k) < p->min_rise * fabs(a))
		return;
	out->status = PCS_KNEE_FOUND;
	out->knee = x0 + best.k * range;
}

/* Validate, drop the unusable pairs, bin, and fit (pcs_knee.h has the
 * method and the rules). */
int
pcs_knee_fit(const double *x, const double *y, size_t n,
             const struct pcs_knee_params *p, struct pcs_knee *out)
{
	struct pcs_knee_params def;
	struct xy *d;
	double *mem, *xb, *yb, *vb, *w, *scratch;
	size_t cnt = 0, s, m;

	if (out == NULL)
		return PCS_EUSAGE;
	out->status = PCS_KNEE_TOO_FEW;
	out->knee = out->baseline = out->slope_below = out->slope_above = NAN;
	out->p_value = out->max_load = NAN;
	out->n = out->n_above = 0;
	if (p == NULL) {
		pcs_knee_defaults(&def);
		p = &def;
	}
	if ((n > 0 && (x == NULL || y == NULL)) || !(p->alpha > 0 && p->alpha < 1) ||
	    !(p->min_rise >= 0))
		return PCS_EUSAGE;
	if ((d = malloc((n ? n : 1) * sizeof *d)) == NULL)
		return PCS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			d[cnt].x = x[i];
			d[cnt++].y = y[i];
		}
	out->n = cnt;
	if (cnt == 0) {
		free(d);
		return 0;
	}
	qsort(d, cnt, sizeof *d, cmp_xy);
	out->max_load = d[cnt - 1].x;
	/* about sqrt(n)/2 bins of sqrt(n)/2: both the bin medians and the
	 * resolution in load improve as n grows */
	s = (size_t)floor(sqrt((double)cnt) / 2);
	if (s < 5)
		s = 5;
	m = cnt / s;
	if (cnt < p->min_samples || m < 6) {
		free(d);
		return 0;
	}
	/* seven arrays of m, and scratch for a bin (under 2s) or m values */
	if ((mem = malloc((8 * m + 2 * s) * sizeof *mem)) == NULL) {
		free(d);
		return PCS_ENOMEM;
	}
	xb = mem;
	yb = xb + m;
	vb = yb + m;
	w = vb + m;
	scratch = mem + 7 * m;
	bin_medians(d, cnt, m, xb, yb, scratch);
	bin_variances(d, cnt, m, xb, yb, vb, scratch);
	bin_weights(vb, w, scratch, m);
	fit_bins(xb, yb, w, w + m, w + 2 * m, w + 3 * m, m, d, cnt, p, out);
	free(mem);
	free(d);
	return 0;
}
