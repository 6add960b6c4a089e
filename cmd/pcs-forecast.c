/* pcs-forecast — probabilistic forecasts of request rates per (group, region). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_line[] = "[options] [file ...]";

static const char help_text[] =
	"Read a metrics stream (ts, group, rps, region?) and write quantile forecasts\n"
	"per (group, region) and horizon.\n"
	"  -H, --horizons LIST       durations and ranges A..B (default 5m,15m,30m)\n"
	"  -q, --quantiles LEVELS    levels in (0,1) (default 0.5,0.9,0.95,0.99)\n"
	"  -j, --jobs N              forecast keys on N threads (default 1)\n"
	"      --model NAME          auto, ensemble, ets, mstl, reg or snaive (default auto)\n"
	"  -e, --events FILE         known events (start, end, name, group?, lift?) for reg\n"
	"      --transform T         none, log or boxcox: every model's scale (default: auto's\n"
	"                            choice, logs for mstl and reg on positive series)\n"
	"  -m, --model-file FILE     forecast with pcs-retrain's model file (no search)\n"
	"                            A.json,B.json with --arm-split: an A/B test\n"
	"      --arm-split F         share of the keys forecast by B, by a stable hash\n"
	"      --strict              a key missing from the model file is an error\n"
	"                            (default: a warning, and auto for that key)\n"
	"      --no-onset            no level reset of the forecast on an upward onset\n"
	"      --step DUR            series step (default: median spacing)\n"
	"      --window DUR          history kept per key (default 8w)\n"
	"      --sum-duplicates      sum rows with the same key and timestamp\n"
	"      --shard K/N           keep the keys of shard K of N\n"
	"      --score               score every sample instead of forecasting\n"
	"      --anomaly-threshold X anomaly = 1 when anomaly_score >= X (default 0.9995)\n"
	"  -i, --input-format FMT    csv or ndjson (default: detected)\n"
	"  -o, --output-format FMT   csv or ndjson (default csv)\n"
	"      --no-header           omit the CSV header line\n"
	"      --skip-bad            report and skip bad rows instead of stopping\n"
	"      --epoch               write timestamps as Unix seconds\n"
	"      --max-keys N          most series held (default 100000, 0: no limit)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"See pcs-forecast(1).\n";

enum { OPT_MODEL = OPT_TOOL, OPT_STEP, OPT_WINDOW, OPT_SUM_DUP, OPT_SHARD, OPT_SCORE,
       OPT_THRESHOLD, OPT_ARM_SPLIT, OPT_STRICT, OPT_NO_ONSET, OPT_TRANSFORM };

static const struct option longopts[] = {
	{ "horizons", required_argument, NULL, 'H' },
	{ "quantiles", required_argument, NULL, 'q' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "model-file", required_argument, NULL, 'm' },
	{ "events", required_argument, NULL, 'e' },
	{ "arm-split", required_argument, NULL, OPT_ARM_SPLIT },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "no-onset", no_argument, NULL, OPT_NO_ONSET },
	{ "transform", required_argument, NULL, OPT_TRANSFORM },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "sum-duplicates", no_argument, NULL, OPT_SUM_DUP },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "score", no_argument, NULL, OPT_SCORE },
	{ "anomaly-threshold", required_argument, NULL, OPT_THRESHOLD },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct options {
	struct cli_common c;
	pcs_horizon_spec horizons;
	double *levels;
	size_t nlevels;
	int model, score, sum_duplicates;
	int64_t step, window;
	unsigned long shard_k, shard_n;
	double threshold;
	int jobs;
	/* model files: one, or two arms of an A/B test */
	const char *model_arg;
	struct pcs_model_file files[2];
	size_t nfiles;
	double arm_split;
	int strict;
	int no_onset;
	int transform, transform_set;   /* --transform */
	pcs_events *events;   /* -e, or NULL */
};

static void
parse_shard(struct options *o, const char *arg)
{
	const char *slash = strchr(arg, '/');

	if (slash == NULL || slash == arg || slash[1] == '\0' ||
	    strspn(arg, "0123456789") != (size_t)(slash - arg) ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    slash - arg > 9 || strlen(slash + 1) > 9)
		goto bad;
	o->shard_k = strtoul(arg, NULL, 10);
	o->shard_n = strtoul(slash + 1, NULL, 10);
	if (o->shard_n >= 1 && o->shard_k >= 1 && o->shard_k <= o->shard_n)
		return;
bad:
	cli_usage_error("--shard: want K/N with 1 <= K <= N: \"%s\"", arg);
}

/* -m FILE or -m A,B: read the files; two need --arm-split and names that
 * tell the arms apart in the model column. */
static void
load_model_files(struct options *o)
{
	char *copy = strdup(o->model_arg), *rest = copy, *path;

	if (copy == NULL)
		cli_die(EXIT_DATA, "out of memory");
	while ((path = strsep(&rest, ",")) != NULL) {
		if (*path == '\0' || o->nfiles == 2)
			cli_usage_error("-m: want FILE or A.json,B.json: \"%s\"", o->model_arg);
		cli_read_model(path, &o->files[o->nfiles++]);
	}
	free(copy);
	if (o->score)
		cli_usage_error("--score runs the online detector: it does not take -m");
	if (o->nfiles == 2 && o->arm_split < 0)
		cli_usage_error("-m with two model files is an A/B test: give --arm-split");
	if (o->nfiles == 1 && o->arm_split >= 0)
		cli_usage_error("--arm-split needs two model files: -m A.json,B.json");
	if (o->nfiles == 2 && strcmp(o->files[0].name, o->files[1].name) == 0)
		cli_die(EXIT_DATA, "both model files are named '%s': the arms must differ by name "
		        "(pcs-retrain --name)", o->files[0].name);
}

/* The arm of a key: B for the share --arm-split of the keys, by the same
 * stable hash as --shard. */
static int
arm_of(const struct options *o, const char *group, const char *region)
{
	if (o->nfiles < 2)
		return 0;
	return (double)(pcs_key_hash(group, region) >> 11) / 9007199254740992.0 < o->arm_split;
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	pcs_error err;
	const char *horizons = "5m,15m,30m", *levels = "0.5,0.9,0.95,0.99", *events = NULL;
	int opt;

	cli_common_defaults(&o->c);
	o->model = PCS_MODEL_AUTO;
	o->window = 8 * 604800;
	o->threshold = PCS_DET_ALARM_SCORE;
	o->jobs = 1;
	o->arm_split = -1;
	while ((opt = getopt_long(argc, argv, ":e:H:j:m:q:" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(&o->c, opt, optarg))
			continue;
		switch (opt) {
		case 'H': horizons = optarg; break;
		case 'q': levels = optarg; break;
		case 'j': o->jobs = cli_jobs_arg(optarg); break;
		case 'm': o->model_arg = optarg; break;
		case 'e': events = optarg; break;
		case OPT_ARM_SPLIT: o->arm_split = cli_number_arg("--arm-split", optarg, 0, 0, 1, 0); break;
		case OPT_STRICT: o->strict = 1; break;
		case OPT_NO_ONSET: o->no_onset = 1; break;
		case OPT_TRANSFORM:
			if ((o->transform = pcs_transform_parse(optarg)) < 0)
				cli_usage_error("--transform: want none, log or boxcox: \"%s\"", optarg);
			o->transform_set = 1;
			break;
		case OPT_MODEL: o->model = cli_model_arg(optarg); break;
		case OPT_STEP: o->step = cli_duration_arg("--step", optarg, 0); break;
		case OPT_WINDOW: o->window = cli_duration_arg("--window", optarg, 0); break;
		case OPT_SUM_DUP: o->sum_duplicates = 1; break;
		case OPT_SHARD: parse_shard(o, optarg); break;
		case OPT_SCORE: o->score = 1; break;
		case OPT_THRESHOLD:
			o->threshold = cli_number_arg("--anomaly-threshold", optarg, 0, 0, 1, 0);
			break;
		default:
			cli_usage_error(NULL);
		}
	}
	if (pcs_horizons_parse(horizons, &o->horizons, &err) != 0)
		cli_usage_error("-H: %s", err.msg);
	if (pcs_levels_parse(levels, &o->levels, &o->nlevels, &err) != 0)
		cli_usage_error("-q: %s", err.msg);
	if (o->model_arg)
		load_model_files(o);
	else if (o->arm_split >= 0 || o->strict)
		cli_usage_error("--arm-split and --strict go with -m");
	if (events)
		o->events = cli_load_events(&o->c, events);
}

static void
end_row(pcs_writer *w)
{
	if (pcs_writer_end_row(w) != 0)
		cli_write_failed();
}

/* One key's work, done by any thread, written by the main thread in key
 * order so that the output does not depend on -j. */
struct key_work {
	pcs_series s;
	struct pcs_forecast_result fc;
	double *expected, *score;
	int *direction;
	int model, rc;
	int arm;          /* with model files: the arm, and whether the key was in it */
	int from_file;
	pcs_error err;
};

struct batch {
	const struct options *o;
	pcs_store *st;
	const struct pcs_forecast_config *cfg;
	int64_t step;
	size_t first, count;
	struct key_work *work;
};

static void
do_key(void *ctx, size_t i)
{
	struct batch *b = ctx;
	struct key_work *kw = &b->work[i];

	kw->rc = pcs_store_series(b->st, b->first + i, b->step, &kw->s, &kw->err);
	if (kw->rc != 0)
		return;
	if (b->o->nfiles) {
		const char *g = pcs_store_group(b->st, b->first + i), *r = pcs_store_region(b->st, b->first + i);
		const struct pcs_model_entry *e;
		kw->arm = arm_of(b->o, g, r);
		if ((e = pcs_model_file_find(&b->o->files[kw->arm], g, r)) != NULL) {
			pcs_forecaster *f = pcs_forecaster_from_fitted(&kw->s, &e->fit, b->cfg, &kw->err);
			kw->from_file = 1;
			if (f == NULL) {
				kw->rc = kw->err.code;
				return;
			}
			kw->rc = pcs_forecaster_predict(f, &kw->fc, &kw->err);
			pcs_forecaster_free(f);
			return;
		}
		if (b->o->strict) {
			kw->rc = pcs_error_set(&kw->err, PCS_EDATA, 0, NULL, "not in the model file %s (--strict)",
			                       b->o->files[kw->arm].name);
			return;
		}
	}
	if (!b->o->score) {
		struct pcs_forecast_config cfg = *b->cfg;
		pcs_events *mine = NULL;
		/* the key's own events, and those of every group */
		if (b->o->events != NULL &&
		    (mine = pcs_events_for_group(b->o->events, pcs_store_group(b->st, b->first + i))) == NULL) {
			kw->rc = pcs_error_set(&kw->err, PCS_ENOMEM, 0, NULL, "out of memory");
			return;
		}
		cfg.events = mine;
		kw->rc = pcs_forecast_series(&kw->s, &cfg, &kw->fc, &kw->err);
		pcs_events_free(mine);
		return;
	}
	kw->expected = malloc(kw->s.n * sizeof *kw->expected);
	kw->score = malloc(kw->s.n * sizeof *kw->score);
	kw->direction = malloc(kw->s.n * sizeof *kw->direction);
	if (kw->expected == NULL || kw->score == NULL || kw->direction == NULL ||
	    pcs_detect_series(&kw->s, NULL, kw->expected, kw->score, kw->direction) != 0)
		kw->rc = pcs_error_set(&kw->err, PCS_ENOMEM, 0, NULL, "out of memory");
}

static void
write_forecast_rows(const struct options *o, pcs_store *st, size_t k, struct key_work *kw,
                    const struct pcs_forecast_config *cfg, pcs_writer *w)
{
	int64_t step = kw->s.step, issued = kw->s.start + (int64_t)(kw->s.n - 1) * step;

	for (size_t j = 0; j < cfg->nhorizons; j++) {
		int64_t hs = (int64_t)cfg->horizons[j] * step;
		pcs_writer_time(w, issued);
		pcs_writer_str(w, pcs_store_group(st, k));
		pcs_writer_str(w, pcs_store_region(st, k));
		pcs_writer_int(w, hs);
		pcs_writer_time(w, issued + hs);
		pcs_writer_num(w, kw->fc.mean[j]);
		for (size_t q = 0; q < o->nlevels; q++)
			pcs_writer_num(w, kw->fc.quantiles[j * o->nlevels + q]);
		/* in an A/B test the model column names the arm */
		pcs_writer_str(w, kw->from_file && o->nfiles == 2 ? o->files[kw->arm].name :
		                  pcs_model_name(kw->fc.model));
		pcs_writer_num(w, kw->fc.anomaly_score);
		pcs_writer_int(w, kw->fc.anomaly_score >= o->threshold);
		end_row(w);
	}
}

static void
write_score_rows(const struct options *o, pcs_store *st, size_t k, struct key_work *kw,
                 pcs_writer *w)
{
	for (size_t t = 0; t < kw->s.n; t++) {
		if (isnan(kw->s.y[t]))
			continue;
		pcs_writer_time(w, kw->s.start + (int64_t)t * kw->s.step);
		pcs_writer_str(w, pcs_store_group(st, k));
		pcs_writer_str(w, pcs_store_region(st, k));
		pcs_writer_num(w, kw->s.y[t]);
		pcs_writer_num(w, kw->expected[t]);
		pcs_writer_num(w, kw->score[t]);
		pcs_writer_int(w, kw->score[t] >= o->threshold);
		if (kw->direction[t] == PCS_DIR_NONE)
			pcs_writer_num(w, NAN);   /* empty, or null in NDJSON */
		else
			pcs_writer_str(w, kw->direction[t] > 0 ? "up" : "down");
		end_row(w);
	}
}

/* Forecast (or score) every key, KEY_BATCH keys at a time on o->jobs
 * threads, and write them in key order. */
#define KEY_BATCH 256

static void
run_keys(const struct options *o, pcs_store *st, pcs_writer *w, int64_t step, const size_t *h,
         size_t nh, size_t *samples, size_t *merged)
{
	struct pcs_forecast_config cfg = { .model = o->model, .levels = o->levels,
	                                   .nlevels = o->nlevels, .no_onset = o->no_onset,
	                                   .transform = o->transform_set ? &o->transform : NULL };
	size_t one = 1, nkeys = pcs_store_nkeys(st);
	struct batch b;

	cfg.horizons = o->score ? &one : h;
	cfg.nhorizons = o->score ? 1 : nh;
	memset(&b, 0, sizeof b);
	b.o = o;
	b.st = st;
	b.cfg = &cfg;
	b.step = step;
	b.work = calloc(KEY_BATCH, sizeof *b.work);
	if (cfg.nhorizons == 0 || b.work == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (b.first = 0; b.first < nkeys; b.first += b.count) {
		b.count = nkeys - b.first < KEY_BATCH ? nkeys - b.first : KEY_BATCH;
		cli_parallel(b.count, o->jobs, do_key, &b);
		for (size_t i = 0; i < b.count; i++) {
			struct key_work *kw = &b.work[i];
			if (kw->rc != 0) {
				/* the rows already written stay; the writer holds none */
				pcs_writer_free(w);
				cli_die(EXIT_DATA, "%s %s: %s", pcs_store_group(st, b.first + i),
				        pcs_store_region(st, b.first + i), kw->err.msg);
			}
			if (o->nfiles && !kw->from_file)
				cli_warn("%s %s: not in the model file %s: forecast without it",
				         pcs_store_group(st, b.first + i), pcs_store_region(st, b.first + i),
				         o->files[kw->arm].name);
			*samples += kw->s.samples;
			*merged += kw->s.merged;
			if (o->score)
				write_score_rows(o, st, b.first + i, kw, w);
			else
				write_forecast_rows(o, st, b.first + i, kw, &cfg, w);
			pcs_forecast_result_free(&kw->fc);
			pcs_series_free(&kw->s);
			free(kw->expected);
			free(kw->score);
			free(kw->direction);
			memset(kw, 0, sizeof *kw);
		}
	}
	free(b.work);
}

int
main(int argc, char **argv)
{
	static char outbuf[65536];
	static const char *const score_cols[] = {
		"ts", "group", "region", "rps", "expected", "anomaly_score", "anomaly", "direction"
	};
	struct options o;
	pcs_store *st;
	pcs_writer *w;
	const char **cols;
	char (*names)[32];
	size_t ncols = 0, *h = NULL, nh = 0;
	int64_t step;
	int status = 0;

	cli_init("pcs-forecast", usage_line, help_text, argv);
	memset(&o, 0, sizeof o);
	parse_options(&o, argc, argv);
	/* rows are written once all input is read, so none waits on a flush:
	 * 64 KiB writes instead of stdio's 4 KiB save most write(2) calls */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if ((st = pcs_store_new(o.window, o.sum_duplicates)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	pcs_store_set_shard(st, o.shard_k, o.shard_n);
	pcs_store_set_max_keys(st, o.c.max_keys);
	/* an operand that cannot be opened is reported and the rest are read
	 * (style(9)); the exit status then says 1 */
	if (optind == argc && cli_read_metrics(&o.c, "-", st, o.score) != 0)
		status = EXIT_DATA;
	for (int i = optind; i < argc; i++)
		if (cli_read_metrics(&o.c, argv[i], st, o.score) != 0)
			status = EXIT_DATA;

	cols = malloc((o.nlevels + 10) * sizeof *cols);
	names = malloc((o.nlevels + 1) * sizeof *names);
	if (cols == NULL || names == NULL)
		cli_die(EXIT_DATA, "out of memory");
	if (o.score) {
		memcpy(cols, score_cols, sizeof score_cols);
		ncols = sizeof score_cols / sizeof *score_cols;
	} else {
		const char *head[] = { "issued", "group", "region", "horizon_s", "target", "mean" };
		for (size_t i = 0; i < 6; i++)
			cols[ncols++] = head[i];
		for (size_t q = 0; q < o.nlevels; q++) {
			pcs_level_name(o.levels[q], names[q], sizeof names[q]);
			cols[ncols++] = names[q];
		}
		cols[ncols++] = "model";
		cols[ncols++] = "anomaly_score";
		cols[ncols++] = "anomaly";
	}
	if (pcs_store_sort(st) != 0)
		cli_die(EXIT_DATA, "out of memory");
	step = o.step;
	if (step == 0 && pcs_store_nkeys(st) > 0 && (step = pcs_store_detect_step(st)) <= 0)
		cli_die(EXIT_DATA, "cannot detect the step from one timestamp per key; "
		        "give --step");
	/* before the header, so that a bad -H writes nothing */
	if (!o.score && pcs_store_nkeys(st) > 0)
		nh = cli_horizons(&o.horizons, step, &h);
	w = pcs_writer_new(stdout, o.c.output_format, o.c.header, o.c.epoch, cols, ncols);
	if (w == NULL)
		cli_die(EXIT_DATA, "out of memory");
	if (pcs_store_nkeys(st) > 0) {
		size_t samples = 0, merged = 0;
		run_keys(&o, st, w, step, h, nh, &samples, &merged);
		/* a detected step much longer than the spacing of the data means
		 * the first timestamps of the keys were not neighbours in time */
		if (o.step == 0 && merged * 3 > samples)
			cli_warn("%zu of %zu timestamps shared a %llds step slot with another: "
			         "the detected step may be too long (shuffled input?); give --step",
			         merged, samples, (long long)step);
	}
	cli_bad_summary(&o.c);
	if (pcs_writer_finish(w) != 0)
		cli_write_failed();
	pcs_writer_free(w);
	pcs_store_free(st);
	pcs_horizons_free(&o.horizons);
	free(h);
	for (size_t i = 0; i < o.nfiles; i++)
		pcs_model_file_free(&o.files[i]);
	pcs_events_free(o.events);
	free(o.levels);
	free(cols);
	free(names);
	cli_exit(status);
}
