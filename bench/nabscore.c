/* bench/nabscore.c — the scoring of the Numenta Anomaly Benchmark (NAB).
 *
 *   nabscore [-v] [-t THRESHOLD] [-P FRACTION] LABELS.json PROFILES.json [RESULTS.csv]
 *
 * LABELS.json is NAB's labels/combined_windows.json (data file -> list of
 * [start, end] window timestamps), PROFILES.json its config/profiles.json
 * (profile -> CostMatrix with tpWeight, fnWeight, fpWeight; tnWeight is
 * not used by NAB's scoring).  RESULTS.csv (standard input when absent or
 * "-") is a detector's output: a header naming the columns file, timestamp
 * and anomaly_score, then one row per data row of every file named in the
 * labels, a file's rows together and in the data file's order (NAB scores
 * by row: some of its files repeat or go back in time).  Timestamps are
 * "YYYY-MM-DD HH:MM:SS[.ffffff]", also with a T and a trailing Z.
 *
 * Written from NAB's published rules, not from its code: Lavin and Ahmad,
 * "Evaluating Real-time Anomaly Detection Algorithms -- the Numenta Anomaly
 * Benchmark", IEEE ICMLA 2015 (arXiv:1510.03336), section "Scoring", and
 * Ahmad et al., Neurocomputing 262 (2017); NAB's README and wiki ("NAB
 * scoring", "Anomaly windows"); the behaviour of NAB 1.x's Sweeper
 * (nab/sweeper.py), optimizer (nab/optimizer.py) and normalization
 * (Runner.normalize in nab/runner.py), github.com/numenta/NAB, as read in
 * its repository.  The rules, per data file of n rows:
 *
 *  - probation: rows i < min(floor(0.15 n), 0.15 * 5000) are not scored at
 *    all (neither TP nor FP; the cap is 750 rows);
 *  - windows are inclusive; a window's rows are those from the first row
 *    whose timestamp equals its start to the first row equal to its end
 *    (both must be timestamps of the file);
 *  - a row in a window at index i, window [l, r] of width W = r - l + 1,
 *    is worth tpWeight * S(-(r - i + 1) / W) / S(-1), where S(x) =
 *    2 / (1 + exp(5x)) - 1 (and -1 for x > 3): the window's first row gives
 *    exactly tpWeight, its last tpWeight * S(-1/W) / S(-1);
 *  - a window counts once: its score is the best (earliest) of its detected
 *    rows, or -fnWeight if none is detected;
 *  - a row outside every window is worth fpWeight * S((i - r) / (W - 1)),
 *    r and W those of the last window that ended before it, or -fpWeight
 *    when no window came before it;
 *  - a file's raw score at threshold T is the sum over its windows plus the
 *    sum over its detected rows outside windows, a row being detected when
 *    its anomaly score is >= T; the corpus score is the sum over files;
 *  - the threshold, per profile, is the one that maximizes the corpus
 *    score among 1.1 (nothing detected) and every distinct anomaly score
 *    (rows scored in order of decreasing anomaly score, tied rows
 *    together); on a tie of corpus scores the higher threshold wins (NAB
 *    sorts the candidates, highest threshold first, with a stable sort);
 *  - normalized score = 100 (raw - null) / (perfect - null), where null is
 *    the raw score of NAB's null detector (0.5 on every row) with its own
 *    best threshold, and perfect = tpWeight * the number of windows in the
 *    labels.
 *
 * One deviation: NAB's per-file scoring looks its threshold up in the
 * file's own list of candidates and finds no row when the threshold lies
 * below every anomaly score of the file; here such a file is scored with
 * every row detected, which is what the threshold means.
 *
 * Output: one line per profile, "profile=NAME score=... raw=... null=...
 * perfect=... threshold=... detected=D/W fp_rows=... null_threshold=...
 * start_score=...", start_score being the normalized score of a detector
 * that fires on the first row of every window and nowhere else (100 when
 * no window reaches into a probation period).  A first line starting with
 * "#" gives the counts.  -v adds one line per file and profile.  -t scores
 * at the given threshold instead of searching for the best one.  -P
 * changes the probation fraction (default 0.15).
 *
 * Exit status 0, or 1 with a message: a file of the labels without rows,
 * a file not in the labels, a file's rows apart, a window limit that is not
 * a row's timestamp, an anomaly score outside [0, 1].
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOTHING 1.1 /* the first threshold: no row detected */
#define PROBATION (-2)
#define OUTSIDE (-1)

struct profile {
	char *name;
	double tp, fp, fn;
};

struct window {
	int64_t start, end; /* microseconds since the epoch */
	size_t lo, hi;      /* global row indices, inclusive */
	int scorable;       /* holds at least one row after probation */
};

struct file {
	char *name;
	size_t first, n;    /* its rows: first .. first + n - 1 */
	size_t win0, nwin;  /* its windows: win0 .. win0 + nwin - 1 */
	double probation;   /* rows i < probation are not scored */
};

static struct file *files;
static size_t nfiles;
static struct window *wins;
static size_t nwins;
static struct profile *profs;
static size_t nprofs;

/* Per row, over the corpus. */
static int64_t *ts;
static double *score;   /* the detector's anomaly score */
static long *where;     /* window index, OUTSIDE or PROBATION */
static double *term;    /* S(...) / S(-1) in a window, S(...) outside */
static size_t nrows, caprows;

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("nabscore: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

/* NAB's scaled sigmoid of a relative position. */
static double
scaled_sigmoid(double x)
{
	if (x > 3.0)
		return -1.0;
	return 2.0 / (1.0 + exp(5.0 * x)) - 1.0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" (or with T, and Z) -> microseconds; -1 on error. */
static int
parse_ts(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, n = 0;
	char sep;

	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &n) != 7 ||
	    (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60 || h < 0 || mi < 0 || se < 0)
		return -1;
	s += n;
	int64_t us = 0;
	if (*s == '.') {
		int digits = 0;
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 6)
				us = us * 10 + (*s - '0');
		if (digits == 0)
			return -1;
		for (; digits < 6; digits++)
			us *= 10;
	}
	if (*s == 'Z')
		s++;
	if (*s != '\0')
		return -1;
	*out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000000) + us;
	return 0;
}

static void
load_labels(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	const char *key;
	json_t *list;

	if (root == NULL || !json_is_object(root))
		die("%s: %s", path, root ? "not a JSON object" : err.text);
	files = xrealloc(NULL, json_object_size(root) * sizeof *files);
	json_object_foreach(root, key, list) {
		struct file *f = &files[nfiles++];
		size_t i;
		json_t *w;

		if (!json_is_array(list))
			die("%s: %s: not a list of windows", path, key);
		f->name = strdup(key);
		f->n = 0;
		f->win0 = nwins;
		f->nwin = json_array_size(list);
		wins = xrealloc(wins, (nwins + f->nwin) * sizeof *wins);
		json_array_foreach(list, i, w) {
			struct window *x = &wins[nwins++];
			json_t *a = json_array_get(w, 0), *b = json_array_get(w, 1);

			if (!json_is_array(w) || json_array_size(w) != 2 || !json_is_string(a) ||
			    !json_is_string(b) || parse_ts(json_string_value(a), &x->start) ||
			    parse_ts(json_string_value(b), &x->end))
				die("%s: %s: window %zu is not [start, end] timestamps", path, key, i + 1);
			if (x->end < x->start)
				die("%s: %s: window %zu ends before it starts", path, key, i + 1);
			if (i > 0 && x->start <= x[-1].end)
				die("%s: %s: window %zu is not after the one before it", path, key, i + 1);
		}
	}
	json_decref(root);
}

static double
weight(json_t *cm, const char *name, const char *path, const char *profile)
{
	json_t *v = json_object_get(cm, name);

	if (!json_is_number(v) || json_number_value(v) < 0)
		die("%s: %s: CostMatrix.%s is not a number >= 0", path, profile, name);
	return json_number_value(v);
}

static void
load_profiles(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	const char *key;
	json_t *p;

	if (root == NULL || !json_is_object(root) || json_object_size(root) == 0)
		die("%s: %s", path, root ? "not a JSON object of profiles" : err.text);
	profs = xrealloc(NULL, json_object_size(root) * sizeof *profs);
	json_object_foreach(root, key, p) {
		json_t *cm = json_object_get(p, "CostMatrix");
		struct profile *x = &profs[nprofs++];

		if (!json_is_object(cm))
			die("%s: %s: no CostMatrix", path, key);
		x->name = strdup(key);
		x->tp = weight(cm, "tpWeight", path, key);
		x->fp = weight(cm, "fpWeight", path, key);
		x->fn = weight(cm, "fnWeight", path, key);
	}
	json_decref(root);
}

static struct file *
find_file(const char *name)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

/* Split a CSV line (no quoting: NAB names hold no commas) in place. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line;; p++) {
		if (n < max)
			f[n] = p;
		n++;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p = '\0';
	}
	return n;
}

static void
read_results(FILE *in, const char *path)
{
	char *line = NULL, *f[64];
	size_t cap = 0, lineno = 1;
	int cf = -1, ct = -1, cs = -1;
	struct file *cur = NULL;

	if (getline(&line, &cap, in) < 0)
		die("%s: empty input", path);
	size_t nf = split(line, f, 64);
	for (size_t i = 0; i < nf && i < 64; i++) {
		if (strcmp(f[i], "file") == 0)
			cf = (int)i;
		else if (strcmp(f[i], "timestamp") == 0)
			ct = (int)i;
		else if (strcmp(f[i], "anomaly_score") == 0)
			cs = (int)i;
	}
	if (cf < 0 || ct < 0 || cs < 0)
		die("%s: the header must name file, timestamp and anomaly_score", path);
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		if (split(line, f, 64) != nf)
			die("%s:%zu: %zu fields expected", path, lineno, nf);
		if (cur == NULL || strcmp(cur->name, f[cf]) != 0) {
			cur = find_file(f[cf]);
			if (cur == NULL)
				die("%s:%zu: %s is not in the labels", path, lineno, f[cf]);
			if (cur->n > 0)
				die("%s:%zu: the rows of %s are not together", path, lineno, f[cf]);
			cur->first = nrows;
		}
		if (nrows == caprows) {
			caprows = caprows ? 2 * caprows : 65536;
			ts = xrealloc(ts, caprows * sizeof *ts);
			score = xrealloc(score, caprows * sizeof *score);
		}
		char *end;
		errno = 0;
		double s = strtod(f[cs], &end);
		if (end == f[cs] || *end != '\0' || errno || !(s >= 0.0 && s <= 1.0))
			die("%s:%zu: anomaly_score '%s' is not a number in [0, 1]", path, lineno, f[cs]);
		if (parse_ts(f[ct], &ts[nrows]))
			die("%s:%zu: bad timestamp '%s'", path, lineno, f[ct]);
		score[nrows++] = s;
		cur->n++;
	}
	if (ferror(in))
		die("%s: read error", path);
	free(line);
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].n == 0)
			die("%s: no rows for %s, which the labels name", path, files[i].name);
}

/* The first row of file F whose timestamp is T, as NAB finds a window's
 * limits (NAB's data are not all in time order: it goes by row). */
static size_t
row_at(const struct file *f, int64_t t, const char *what, size_t w)
{
	for (size_t i = f->first; i < f->first + f->n; i++)
		if (ts[i] == t)
			return i;
	die("%s: the %s of window %zu is not a timestamp of the file", f->name, what, w + 1);
}

/* Place every row: probation, in a window (with its TP term) or outside
 * (with its FP term). */
static void
place_rows(double fraction)
{
	const double max_tp = scaled_sigmoid(-1.0);

	where = xrealloc(NULL, nrows * sizeof *where);
	term = xrealloc(NULL, nrows * sizeof *term);
	for (size_t k = 0; k < nfiles; k++) {
		struct file *f = &files[k];
		double cap = fraction * 5000;
		f->probation = floor(fraction * (double)f->n);
		if (f->probation > cap)
			f->probation = cap;
		for (size_t w = 0; w < f->nwin; w++) {
			struct window *x = &wins[f->win0 + w];
			x->lo = row_at(f, x->start, "start", w);
			x->hi = row_at(f, x->end, "end", w);
			if (x->hi < x->lo || (w > 0 && x->lo <= x[-1].hi))
				die("%s: window %zu does not follow the rows in order", f->name, w + 1);
			x->scorable = (double)(x->hi - f->first) >= f->probation;
		}
		size_t next = 0;        /* the next window of the file */
		long prev = -1;         /* the last window passed, global index */
		for (size_t i = f->first; i < f->first + f->n; i++) {
			if (next < f->nwin && i >= wins[f->win0 + next].lo) {
				const struct window *x = &wins[f->win0 + next];
				double width = (double)(x->hi - x->lo + 1);
				term[i] = scaled_sigmoid(-(double)(x->hi - i + 1) / width) / max_tp;
				where[i] = (long)(f->win0 + next);
				if (i == x->hi) {
					prev = (long)(f->win0 + next);
					next++;
				}
			} else if (prev < 0) {
				term[i] = -1.0;
				where[i] = OUTSIDE;
			} else {
				const struct window *x = &wins[prev];
				if (x->hi == x->lo)
					die("%s: a row follows a window of one row, which NAB's rule "
					    "divides by zero", f->name);
				term[i] = scaled_sigmoid((double)(i - x->hi) / (double)(x->hi - x->lo));
				where[i] = OUTSIDE;
			}
			if ((double)(i - f->first) < f->probation)
				where[i] = PROBATION;
		}
	}
}

struct result {
	double threshold;
	long double raw;
	size_t detected, fp_rows;
};

static const double *sort_key;

static int
by_score_desc(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (sort_key[i] != sort_key[j])
		return sort_key[i] > sort_key[j] ? -1 : 1;
	return (i > j) - (i < j);
}

/* The best threshold for scores S under profile P: NAB's sweep. */
static struct result
sweep(const double *s, const struct profile *p)
{
	size_t *order = xrealloc(NULL, nrows * sizeof *order), m = 0, nscorable = 0;
	double *best = xrealloc(NULL, nwins * sizeof *best);
	char *hit = xrealloc(NULL, nwins);

	for (size_t i = 0; i < nrows; i++)
		if (where[i] != PROBATION)
			order[m++] = i;
	sort_key = s;
	qsort(order, m, sizeof *order, by_score_desc);
	for (size_t w = 0; w < nwins; w++) {
		best[w] = -p->fn;
		hit[w] = 0;
		nscorable += (size_t)wins[w].scorable;
	}
	long double fp_sum = 0, win_sum = -(long double)p->fn * (long double)nscorable;
	struct result r = { NOTHING, win_sum, 0, 0 }, cur = r;
	for (size_t k = 0; k < m;) {
		double v = s[order[k]];
		for (; k < m && s[order[k]] == v; k++) {
			size_t i = order[k];
			if (where[i] >= 0) {
				double t = p->tp * term[i];
				if (!hit[where[i]] || t > best[where[i]]) {
					win_sum += (long double)t - best[where[i]];
					best[where[i]] = t;
					cur.detected += !hit[where[i]];
					hit[where[i]] = 1;
				}
			} else {
				fp_sum += (long double)p->fp * term[i];
				cur.fp_rows++;
			}
		}
		cur.threshold = v;
		cur.raw = fp_sum + win_sum;
		if (cur.raw > r.raw)
			r = cur;
	}
	free(order);
	free(best);
	free(hit);
	return r;
}

/* Scores S at threshold T under profile P, per file (VERBOSE) and in all. */
static struct result
score_at(const double *s, double t, const struct profile *p, int verbose)
{
	struct result all = { t, 0, 0, 0 };

	for (size_t k = 0; k < nfiles; k++) {
		const struct file *f = &files[k];
		struct result r = { t, 0, 0, 0 };
		for (size_t w = f->win0; w < f->win0 + f->nwin; w++) {
			if (!wins[w].scorable)
				continue;
			double b = -p->fn;
			int hit = 0;
			for (size_t i = wins[w].lo; i <= wins[w].hi; i++)
				if (where[i] >= 0 && s[i] >= t && (!hit || p->tp * term[i] > b)) {
					b = p->tp * term[i];
					hit = 1;
				}
			r.raw += b;
			r.detected += (size_t)hit;
		}
		for (size_t i = f->first; i < f->first + f->n; i++)
			if (where[i] == OUTSIDE && s[i] >= t) {
				r.raw += (long double)p->fp * term[i];
				r.fp_rows++;
			}
		if (verbose)
			printf("file=%s profile=%s raw=%.6Lf detected=%zu/%zu fp_rows=%zu rows=%zu "
			       "probation=%.0f\n", f->name, p->name, r.raw, r.detected, f->nwin,
			       r.fp_rows, f->n, f->probation);
		all.raw += r.raw;
		all.detected += r.detected;
		all.fp_rows += r.fp_rows;
	}
	return all;
}

static void
usage(void)
{
	fputs("usage: nabscore [-v] [-t THRESHOLD] [-P FRACTION] LABELS.json PROFILES.json "
	      "[RESULTS.csv]\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	int verbose = 0, fixed = 0, c;
	double threshold = NOTHING, fraction = 0.15;
	char *end;

	while ((c = getopt(argc, argv, "vt:P:")) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 't':
			threshold = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(threshold))
				die("-t wants a number");
			fixed = 1;
			break;
		case 'P':
			fraction = strtod(optarg, &end);
			if (end == optarg || *end || !(fraction >= 0 && fraction < 1))
				die("-P wants a fraction in [0, 1)");
			break;
		default: usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3)
		usage();
	load_labels(argv[optind]);
	load_profiles(argv[optind + 1]);
	const char *rpath = argc - optind == 3 ? argv[optind + 2] : "-";
	FILE *in = strcmp(rpath, "-") == 0 ? stdin : fopen(rpath, "r");
	if (in == NULL)
		die("%s: %s", rpath, strerror(errno));
	read_results(in, strcmp(rpath, "-") == 0 ? "stdin" : rpath);
	if (in != stdin)
		fclose(in);
	if (nwins == 0)
		die("the labels hold no window: the normalized score is undefined");
	place_rows(fraction);

	/* The null detector (0.5 everywhere) and the window-start detector. */
	double *null_s = xrealloc(NULL, nrows * sizeof *null_s);
	double *start_s = xrealloc(NULL, nrows * sizeof *start_s);
	size_t nprob = 0, nscorable = 0;
	for (size_t i = 0; i < nrows; i++) {
		null_s[i] = 0.5;
		start_s[i] = 0.0;
		nprob += where[i] == PROBATION;
	}
	for (size_t w = 0; w < nwins; w++) {
		start_s[wins[w].lo] = 1.0;
		nscorable += (size_t)wins[w].scorable;
	}
	printf("# files=%zu rows=%zu probation_rows=%zu windows=%zu scorable_windows=%zu "
	       "probation_fraction=%g mode=%s\n", nfiles, nrows, nprob, nwins, nscorable, fraction,
	       fixed ? "fixed" : "swept");
	for (size_t k = 0; k < nprofs; k++) {
		const struct profile *p = &profs[k];
		struct result r, n = sweep(null_s, p), st = sweep(start_s, p);
		double perfect = p->tp * (double)nwins;
		if (fixed) {
			r = score_at(score, threshold, p, verbose);
		} else {
			r = sweep(score, p);
			/* The sweep's best, rescored file by file: the same sum. */
			struct result again = score_at(score, r.threshold, p, verbose);
			if (fabsl(again.raw - r.raw) > 1e-9 * (1 + fabsl(r.raw)) ||
			    again.detected != r.detected || again.fp_rows != r.fp_rows)
				die("internal error: the sweep (%.12Lf) and the rescoring (%.12Lf) differ",
				    r.raw, again.raw);
		}
		if (perfect - (double)n.raw <= 0)
			die("%s: perfect (%g) is not above null (%Lg)", p->name, perfect, n.raw);
		double norm = 100.0 * ((double)r.raw - (double)n.raw) / (perfect - (double)n.raw);
		double snorm = 100.0 * ((double)st.raw - (double)n.raw) / (perfect - (double)n.raw);
		printf("profile=%s score=%.3f raw=%.6Lf null=%.6Lf perfect=%.6f threshold=%.17g "
		       "detected=%zu/%zu fp_rows=%zu null_threshold=%.17g start_score=%.3f\n",
		       p->name, norm, r.raw, n.raw, perfect, r.threshold, r.detected, nwins, r.fp_rows,
		       n.threshold, snorm);
	}
	free(null_s);
	free(start_s);
	return 0;
}
