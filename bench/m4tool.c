/* m4tool.c — M4 helpers for bench/m4.sh (not part of pcs).
 *
 *   m4tool convert [-e END] [-s STEP] TRAIN.csv
 *       M4 wide CSV ("V1","V2",... header; rows "H1","605",...) to a pcs
 *       metrics stream `ts,group,rps` on stdout.  Every series ends at the same
 *       instant END (Unix seconds, default 2026-02-15T23:00:00Z) with a STEP
 *       (default 3600) spacing, so all keys are issued at the same time.
 *       Values are copied verbatim.
 *
 *   m4tool score [-s STEP] [-m PERIOD] [-H N] [-a ALPHA] [-l COL] [-u COL]
 *                [-p COL] [-o PER_SERIES.tsv] TRAIN.csv TEST.csv FORECAST.csv
 *       Scores a pcs forecast (columns group, horizon_s, mean, and when present
 *       p50, the interval bounds and model) the way M4 does:
 *         sMAPE = mean 200|y-f|/(|y|+|f|)              (point f = mean)
 *         MASE  = mean|y-f| / mean_{t>m}|y_t-y_{t-m}| (in-sample, m = 24)
 *         MSIS  = mean[(U-L) + 2/a(L-y)1{y<L} + 2/a(y-U)1{y>U}] / same scale
 *         cov95 = share of test points with L <= y <= U
 *       each averaged over series.  Only series with all N horizons present
 *       are scored; the rest are counted as incomplete.  Prints `name value`
 *       lines, plus `model NAME COUNT` for the model column of horizon-1 rows.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "m4tool";

static void die(const char *fmt, const char *a, long b)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

/* Split one CSV record in place (RFC 4180 quotes, no embedded newlines).
 * Returns the number of fields; *fields is grown as needed. */
static size_t split_csv(char *line, char ***fields, size_t *cap)
{
	size_t n = 0, len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	char *p = line;
	for (;;) {
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*fields = xrealloc(*fields, *cap * sizeof **fields);
		}
		char *out = p;
		(*fields)[n++] = out;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					break;
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			while (*p && *p != ',') /* junk after closing quote */
				*out++ = *p++;
		} else {
			while (*p && *p != ',')
				*out++ = *p++;
		}
		if (*p == ',') {
			*out = '\0';
			p++;
			continue;
		}
		*out = '\0';
		return n;
	}
}

static int parse_num(const char *s, double *v)
{
	char *end;
	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(*v))
		return -1;
	return 0;
}

/* ---- series table ---------------------------------------------------- */

typedef struct {
	char *id;
	double *y;     /* training values */
	size_t n;
	double *test;  /* test values (H of them) or NULL */
	double *f, *p50, *lo, *hi; /* forecasts per horizon, NAN if absent */
	char *model;   /* model of the horizon-1 row */
} series;

static series *tab;
static size_t ntab, captab;
static size_t *hslots;
static size_t hcap;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void rehash(void)
{
	hcap = hcap ? hcap * 2 : 1024;
	hslots = xrealloc(hslots, hcap * sizeof *hslots);
	for (size_t i = 0; i < hcap; i++)
		hslots[i] = SIZE_MAX;
	for (size_t k = 0; k < ntab; k++) {
		size_t i = hash_str(tab[k].id) & (hcap - 1);
		while (hslots[i] != SIZE_MAX)
			i = (i + 1) & (hcap - 1);
		hslots[i] = k;
	}
}

static series *lookup(const char *id, int create)
{
	if (!hcap)
		rehash();
	size_t i = hash_str(id) & (hcap - 1);
	while (hslots[i] != SIZE_MAX) {
		if (strcmp(tab[hslots[i]].id, id) == 0)
			return &tab[hslots[i]];
		i = (i + 1) & (hcap - 1);
	}
	if (!create)
		return NULL;
	if (ntab == captab) {
		captab = captab ? captab * 2 : 512;
		tab = xrealloc(tab, captab * sizeof *tab);
	}
	series *s = &tab[ntab];
	memset(s, 0, sizeof *s);
	s->id = xstrdup(id);
	hslots[i] = ntab++;
	if (ntab * 2 > hcap)
		rehash();
	return lookup(id, 0);
}

/* Read an M4 wide file; calls fn(id, values, n) per row. */
static void read_wide(const char *path, void (*fn)(const char *, char **, size_t))
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		die("%s: cannot open", path, 0);
	char *line = NULL, **fields = NULL;
	size_t lcap = 0, fcap = 0;
	long lineno = 0;
	while (getline(&line, &lcap, fp) != -1) {
		lineno++;
		size_t nf = split_csv(line, &fields, &fcap);
		if (lineno == 1)
			continue; /* "V1","V2",... */
		if (nf == 1 && fields[0][0] == '\0')
			continue;
		size_t n = nf - 1;
		while (n && fields[n][0] == '\0') /* trailing padding */
			n--;
		for (size_t k = 1; k <= n; k++)
			if (fields[k][0] == '\0')
				die("%s:%ld: empty value inside a series", path, lineno);
		fn(fields[0], fields + 1, n);
	}
	if (ferror(fp))
		die("%s: read error", path, 0);
	fclose(fp);
	free(line);
	free(fields);
}

/* ---- convert --------------------------------------------------------- */

static long conv_end = 1771196400L; /* 2026-02-15T23:00:00Z */
static long conv_step = 3600;

static void conv_row(const char *id, char **v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		time_t t = (time_t)(conv_end - (long)(n - 1 - k) * conv_step);
		struct tm tm;
		char buf[32];
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		/* ids of M4 need no quoting; quote anyway if they might */
		if (strpbrk(id, ",\"\n"))
			die("series id needs quoting: %s", id, 0);
		printf("%s,%s,%s\n", buf, id, v[k]);
	}
}

static int cmd_convert(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "e:s:")) != -1) {
		switch (c) {
		case 'e': conv_end = strtol(optarg, NULL, 10); break;
		case 's': conv_step = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || conv_step <= 0) {
		fprintf(stderr, "usage: %s convert [-e END] [-s STEP] TRAIN.csv\n", prog);
		return 2;
	}
	printf("ts,group,rps\n");
	read_wide(argv[optind], conv_row);
	if (fflush(stdout) || ferror(stdout))
		die("write error%s", "", 0);
	return 0;
}

/* ---- score ----------------------------------------------------------- */

static size_t H = 48;
static const char *cur_path;

static void train_row(const char *id, char **v, size_t n)
{
	series *s = lookup(id, 1);
	if (s->y)
		die("duplicate training series %s", id, 0);
	s->y = xrealloc(NULL, (n ? n : 1) * sizeof *s->y);
	s->n = n;
	for (size_t k = 0; k < n; k++)
		if (parse_num(v[k], &s->y[k]))
			die("training series %s: bad value", id, 0);
}

static void test_row(const char *id, char **v, size_t n)
{
	series *s = lookup(id, 0);
	if (!s)
		die("test series %s has no training series", id, 0);
	if (n != H)
		die("test series %s: expected %ld values", id, (long)H);
	s->test = xrealloc(NULL, H * sizeof *s->test);
	for (size_t k = 0; k < H; k++)
		if (parse_num(v[k], &s->test[k]))
			die("test series %s: bad value", id, 0);
	s->f = xrealloc(NULL, H * sizeof *s->f);
	s->p50 = xrealloc(NULL, H * sizeof *s->p50);
	s->lo = xrealloc(NULL, H * sizeof *s->lo);
	s->hi = xrealloc(NULL, H * sizeof *s->hi);
	for (size_t k = 0; k < H; k++)
		s->f[k] = s->p50[k] = s->lo[k] = s->hi[k] = NAN;
}

static int col_index(char **f, size_t nf, const char *name)
{
	for (size_t i = 0; i < nf; i++)
		if (strcmp(f[i], name) == 0)
			return (int)i;
	return -1;
}

typedef struct { char *name; long count; } mcount;

static int cmd_score(int argc, char **argv)
{
	long step = 3600, m = 24;
	double alpha = 0.05;
	const char *lo_col = "p2.5", *hi_col = "p97.5", *p50_col = "p50";
	const char *per_series = NULL;
	int c;
	while ((c = getopt(argc, argv, "s:m:H:a:l:u:p:o:")) != -1) {
		switch (c) {
		case 's': step = strtol(optarg, NULL, 10); break;
		case 'm': m = strtol(optarg, NULL, 10); break;
		case 'H': H = (size_t)strtol(optarg, NULL, 10); break;
		case 'a': alpha = strtod(optarg, NULL); break;
		case 'l': lo_col = optarg; break;
		case 'u': hi_col = optarg; break;
		case 'p': p50_col = optarg; break;
		case 'o': per_series = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 3 || step <= 0 || m <= 0 || H == 0 ||
	    !(alpha > 0 && alpha < 1)) {
		fprintf(stderr, "usage: %s score [-s STEP] [-m PERIOD] [-H N] "
		        "[-a ALPHA] [-l COL] [-u COL] [-p COL] [-o FILE] "
		        "TRAIN.csv TEST.csv FORECAST.csv\n", prog);
		return 2;
	}
	read_wide(argv[optind], train_row);
	read_wide(argv[optind + 1], test_row);

	cur_path = argv[optind + 2];
	FILE *fp = strcmp(cur_path, "-") ? fopen(cur_path, "r") : stdin;
	if (!fp)
		die("%s: cannot open", cur_path, 0);
	char *line = NULL, **fd = NULL;
	size_t lcap = 0, fcap = 0;
	long lineno = 0, extra = 0, unknown = 0;
	int ig = -1, ih = -1, imean = -1, ip50 = -1, ilo = -1, ihi = -1, imodel = -1;
	mcount *mc = NULL;
	size_t nmc = 0;
	while (getline(&line, &lcap, fp) != -1) {
		lineno++;
		size_t nf = split_csv(line, &fd, &fcap);
		if (lineno == 1) {
			ig = col_index(fd, nf, "group");
			ih = col_index(fd, nf, "horizon_s");
			imean = col_index(fd, nf, "mean");
			ip50 = col_index(fd, nf, p50_col);
			ilo = col_index(fd, nf, lo_col);
			ihi = col_index(fd, nf, hi_col);
			imodel = col_index(fd, nf, "model");
			if (ig < 0 || ih < 0 || imean < 0)
				die("%s: header lacks group, horizon_s or mean", cur_path, 0);
			continue;
		}
		if (nf == 1 && fd[0][0] == '\0')
			continue;
		int need = ig > ih ? ig : ih;
		if (imean > need) need = imean;
		if (ip50 > need) need = ip50;
		if (ilo > need) need = ilo;
		if (ihi > need) need = ihi;
		if (imodel > need) need = imodel;
		if ((int)nf <= need)
			die("%s:%ld: too few fields", cur_path, lineno);
		series *s = lookup(fd[ig], 0);
		if (!s || !s->test) {
			unknown++;
			continue;
		}
		double hs;
		if (parse_num(fd[ih], &hs))
			die("%s:%ld: bad horizon_s", cur_path, lineno);
		long h = (long)hs;
		if ((double)h != hs || h % step || h / step < 1 || h / step > (long)H) {
			extra++;
			continue;
		}
		size_t k = (size_t)(h / step - 1);
		if (!isnan(s->f[k]))
			die("%s:%ld: duplicate forecast", cur_path, lineno);
		if (parse_num(fd[imean], &s->f[k]))
			die("%s:%ld: bad mean", cur_path, lineno);
		if (ip50 >= 0 && parse_num(fd[ip50], &s->p50[k]))
			die("%s:%ld: bad p50", cur_path, lineno);
		if (ilo >= 0 && parse_num(fd[ilo], &s->lo[k]))
			die("%s:%ld: bad lower bound", cur_path, lineno);
		if (ihi >= 0 && parse_num(fd[ihi], &s->hi[k]))
			die("%s:%ld: bad upper bound", cur_path, lineno);
		if (k == 0 && imodel >= 0) {
			s->model = xstrdup(fd[imodel]);
			size_t j;
			for (j = 0; j < nmc; j++)
				if (strcmp(mc[j].name, fd[imodel]) == 0)
					break;
			if (j == nmc) {
				mc = xrealloc(mc, (nmc + 1) * sizeof *mc);
				mc[nmc].name = xstrdup(fd[imodel]);
				mc[nmc++].count = 0;
			}
			mc[j].count++;
		}
	}
	if (ferror(fp))
		die("%s: read error", cur_path, 0);
	if (fp != stdin)
		fclose(fp);

	FILE *ps = NULL;
	if (per_series) {
		ps = fopen(per_series, "w");
		if (!ps)
			die("%s: cannot create", per_series, 0);
		fprintf(ps, "series\tsmape\tsmape_p50\tmase\tcov95\tmsis\tmodel\n");
	}
	int have_p50 = ip50 >= 0, have_int = ilo >= 0 && ihi >= 0;
	double s_smape = 0, s_smape50 = 0, s_mase = 0, s_cov = 0, s_msis = 0;
	long scored = 0, incomplete = 0, missing_pts = 0, zero_scale = 0;
	long crossed = 0, npts = 0;
	for (size_t i = 0; i < ntab; i++) {
		series *s = &tab[i];
		if (!s->test)
			continue;
		size_t miss = 0;
		for (size_t k = 0; k < H; k++)
			if (isnan(s->f[k]))
				miss++;
		if (miss) {
			incomplete++;
			missing_pts += (long)miss;
			continue;
		}
		double scale = 0;
		if (s->n <= (size_t)m)
			die("series %s is too short for the seasonal scale", s->id, 0);
		for (size_t t = (size_t)m; t < s->n; t++)
			scale += fabs(s->y[t] - s->y[t - (size_t)m]);
		scale /= (double)(s->n - (size_t)m);
		if (scale == 0) {
			zero_scale++;
			continue;
		}
		double sm = 0, sm50 = 0, ae = 0, cov = 0, is = 0;
		for (size_t k = 0; k < H; k++) {
			double y = s->test[k], f = s->f[k], d;
			d = fabs(y) + fabs(f);
			sm += d > 0 ? 200 * fabs(y - f) / d : 0;
			ae += fabs(y - f);
			if (have_p50) {
				double q = s->p50[k];
				d = fabs(y) + fabs(q);
				sm50 += d > 0 ? 200 * fabs(y - q) / d : 0;
			}
			if (have_int) {
				double L = s->lo[k], U = s->hi[k];
				if (L > U)
					crossed++;
				cov += (L <= y && y <= U);
				is += (U - L) + (y < L ? 2 / alpha * (L - y) : 0) +
				      (y > U ? 2 / alpha * (y - U) : 0);
			}
			npts++;
		}
		double dh = (double)H;
		sm /= dh; sm50 /= dh; ae /= dh; cov /= dh; is /= dh;
		s_smape += sm;
		s_smape50 += sm50;
		s_mase += ae / scale;
		s_cov += cov;
		s_msis += is / scale;
		scored++;
		if (ps) {
			fprintf(ps, "%s\t%.9g\t", s->id, sm);
			if (have_p50) fprintf(ps, "%.9g\t", sm50); else fprintf(ps, "-\t");
			fprintf(ps, "%.9g\t", ae / scale);
			if (have_int) fprintf(ps, "%.9g\t%.9g\t", 100 * cov, is / scale);
			else fprintf(ps, "-\t-\t");
			fprintf(ps, "%s\n", s->model ? s->model : "-");
		}
	}
	if (ps && fclose(ps))
		die("%s: write error", per_series, 0);
	long expected = 0;
	for (size_t i = 0; i < ntab; i++)
		expected += tab[i].test != NULL;
	printf("series %ld\n", scored);
	printf("expected %ld\n", expected);
	printf("incomplete %ld\n", incomplete);
	printf("missing_points %ld\n", missing_pts);
	printf("zero_scale %ld\n", zero_scale);
	printf("unknown_rows %ld\n", unknown);
	printf("other_horizon_rows %ld\n", extra);
	printf("crossed_intervals %ld\n", crossed);
	printf("points %ld\n", npts);
	if (scored) {
		double n = (double)scored;
		printf("smape %.6f\n", s_smape / n);
		if (have_p50) printf("smape_p50 %.6f\n", s_smape50 / n);
		else printf("smape_p50 -\n");
		printf("mase %.6f\n", s_mase / n);
		if (have_int) {
			printf("cov95 %.4f\n", 100 * s_cov / n);
			printf("msis %.6f\n", s_msis / n);
		} else {
			printf("cov95 -\nmsis -\n");
		}
	} else {
		printf("smape -\nsmape_p50 -\nmase -\ncov95 -\nmsis -\n");
	}
	for (size_t j = 0; j < nmc; j++)
		printf("model %s %ld\n", mc[j].name, mc[j].count);
	free(line);
	free(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s convert|score ...\n", prog);
		return 2;
	}
	if (strcmp(argv[1], "convert") == 0)
		return cmd_convert(argc - 1, argv + 1);
	if (strcmp(argv[1], "score") == 0)
		return cmd_score(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command %s\n", prog, argv[1]);
	return 2;
}
