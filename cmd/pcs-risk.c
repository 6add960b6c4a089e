/* pcs-risk — the probability that each POP's demand exceeds its capacity. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_line[] = "-c capacity [options] [file ...]";

static const char help_text[] =
	"Read a forecast stream and a capacity snapshot; write, per group, POP and\n"
	"horizon, the probability and expected size of demand above capacity.\n"
	"  -c, --capacity FILE       the capacity snapshot (required)\n"
	"      --cuts A,B,C          risk at which the level becomes elevated, high,\n"
	"                            critical (default 0.05,0.2,0.5)\n"
	"      --util-limit X        utilization at which a POP is full (default 1)\n"
	"      --no-derate           use capacity_rps as given, whatever the utilization\n"
	"      --current             add horizon 0: each POP's load now against its capacity\n"
	"  -i, --input-format FMT    csv or ndjson (default: detected)\n"
	"  -o, --output-format FMT   csv or ndjson (default csv)\n"
	"      --no-header           omit the CSV header line\n"
	"      --skip-bad            report and skip bad rows and groups instead of stopping\n"
	"      --epoch               write timestamps as Unix seconds\n"
	"      --max-keys N          most groups held (default 100000, 0: no limit)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"See pcs-risk(1).\n";

enum { OPT_CUTS = OPT_TOOL, OPT_UTIL_LIMIT, OPT_NO_DERATE, OPT_CURRENT };

static const struct option longopts[] = {
	{ "capacity", required_argument, NULL, 'c' },
	{ "cuts", required_argument, NULL, OPT_CUTS },
	{ "util-limit", required_argument, NULL, OPT_UTIL_LIMIT },
	{ "no-derate", no_argument, NULL, OPT_NO_DERATE },
	{ "current", no_argument, NULL, OPT_CURRENT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const out_cols[] = {
	"group", "pop", "horizon_s", "target", "demand_p50", "demand_p99", "capacity_rps",
	"headroom_rps", "p_exceed", "expected_shortfall_rps", "risk", "level"
};

struct options {
	struct cli_common c;
	const char *capacity;
	struct pcs_risk_config cfg;
	double util_limit;
	int derate;
};

/* The rows of one group, kept until the group ends. */
/* The rows of one group's forecast issue (one issue time), held until the
 * next group or issue begins: memory follows regions x horizons, not the
 * stream. */
struct group_buf {
	char *group;
	int64_t issued;
	struct pcs_demand *d;
	size_t n, cap;
};

/* The most rows one group's issue may have (regions x horizons). */
#define MAX_ISSUE_ROWS 65536

struct forecast_cols {
	int group, region, horizon, target;
	int q[PCS_QDIST_MAX];
	double level[PCS_QDIST_MAX];
	size_t nq;
};

static void
parse_cuts(struct options *o, const char *arg)
{
	const char *p = arg;

	/* three numbers in (0,1), strictly ascending as given: a swapped pair
	 * is more likely a typo than a wish */
	for (int i = 0; i < 3; i++) {
		char num[64];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof num || (i < 2) != (p[len] == ','))
			goto bad;
		memcpy(num, p, len);
		num[len] = '\0';
		if (pcs_parse_double(num, &o->cfg.cut[i]) != 0 || !(o->cfg.cut[i] > 0 && o->cfg.cut[i] < 1) ||
		    (i > 0 && !(o->cfg.cut[i] > o->cfg.cut[i - 1])))
			goto bad;
		p += len + (i < 2);
	}
	return;
bad:
	cli_usage_error("--cuts: want three ascending numbers in (0,1): \"%s\"", arg);
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	int opt;

	cli_common_defaults(&o->c);
	pcs_risk_defaults(&o->cfg);
	o->util_limit = 1;
	o->derate = 1;
	while ((opt = getopt_long(argc, argv, ":c:" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(&o->c, opt, optarg))
			continue;
		switch (opt) {
		case 'c': o->capacity = optarg; break;
		case OPT_CUTS: parse_cuts(o, optarg); break;
		case OPT_UTIL_LIMIT:
			o->util_limit = cli_number_arg("--util-limit", optarg, 0, 1, 1, 0);
			break;
		case OPT_NO_DERATE: o->derate = 0; break;
		case OPT_CURRENT: o->cfg.current = 1; break;
		default: cli_usage_error(NULL);
		}
	}
	if (o->capacity == NULL)
		cli_usage_error("-c: the capacity snapshot is required");
}

struct capacity_in {
	pcs_capacity *cap;
	int pop, group, region, capacity, load, util[3], max_capacity, scale;
	size_t max_rows;   /* --max-keys; 0: no limit */
};

static size_t
capacity_columns(pcs_reader *r, void *ctx, int *req)
{
	struct capacity_in *in = ctx;

	req[0] = in->pop = pcs_reader_column(r, "pop");
	req[1] = in->group = pcs_reader_column(r, "group");
	req[2] = in->capacity = pcs_reader_column(r, "capacity_rps");
	req[3] = in->load = pcs_reader_column(r, "load_rps");
	in->region = pcs_reader_column(r, "region");
	in->util[0] = pcs_reader_column(r, "cpu");
	in->util[1] = pcs_reader_column(r, "mem");
	in->util[2] = pcs_reader_column(r, "bw");
	in->max_capacity = pcs_reader_column(r, "max_capacity_rps");
	in->scale = pcs_reader_column(r, "scale_s");
	return 4;
}

static int
capacity_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct capacity_in *in = ctx;
	const char *pop, *group, *region = "";
	double c, load, util = 0, max_c = 0, scale = 0;
	int rc, reach;

	if ((rc = pcs_field_text(r, in->pop, 1, &pop, err)) != 0 ||
	    (rc = pcs_field_text(r, in->group, 1, &group, err)) != 0 ||
	    (rc = pcs_field_text(r, in->region, 0, &region, err)) > 0 ||
	    (rc = pcs_field_double(r, in->capacity, 1, 0, INFINITY, &c, err)) != 0 ||
	    (rc = pcs_field_double(r, in->load, 1, 0, INFINITY, &load, err)) != 0)
		return rc;
	for (int k = 0; k < 3; k++) {
		double u;
		if ((rc = pcs_field_double(r, in->util[k], 0, 0, 1, &u, err)) > 0)
			return rc;
		if (rc == 0 && u > util)
			util = u;
	}
	if (in->max_rows && pcs_capacity_count(in->cap) >= in->max_rows)
		return pcs_error_set(err, PCS_ELIMIT, pcs_reader_line(r), NULL,
		                     "more than %zu capacity rows: raise --max-keys", in->max_rows);
	/* an empty max_capacity_rps: a POP that does not scale itself */
	if ((reach = pcs_field_double(r, in->max_capacity, 0, 0, INFINITY, &max_c, err)) > 0)
		return reach;
	if ((rc = pcs_field_double(r, in->scale, 0, 0, INFINITY, &scale, err)) > 0)
		return rc;
	if ((rc = pcs_capacity_add(in->cap, pop, group, region, c, load, util,
	                           pcs_reader_line(r), err)) != 0)
		return rc;
	if (reach == 0)
		pcs_capacity_reach(in->cap, max_c, scale);
	if (c == 0)
		cli_warn("%s:%ld: pop '%s' group '%s' has capacity_rps 0", name,
		         pcs_reader_line(r), pop, group);
	return 0;
}

/* Load the capacity snapshot; its errors are always fatal: a partial
 * snapshot would put demand on the wrong POPs. */
static pcs_capacity *
load_capacity(struct options *o)
{
	struct cli_stream spec = { PCS_FMT_AUTO, 1, capacity_columns, capacity_record };
	struct capacity_in in = { .cap = pcs_capacity_new(), .max_rows = o->c.max_keys };

	if (in.cap == NULL)
		cli_die(EXIT_DATA, "out of memory");
	cli_read_stream(&o->c, o->capacity, &spec, &in);
	pcs_capacity_finish(in.cap, o->derate, o->util_limit);
	return in.cap;
}

/* The capacity file as messages name it. */
static const char *
capacity_name(const struct options *o)
{
	return strcmp(o->capacity, "-") == 0 ? "<stdin>" : o->capacity;
}

/* Find the quantile columns once the first record shows the column names. */
static void
find_quantiles(pcs_reader *r, const char *name, struct forecast_cols *fc)
{
	fc->nq = cli_find_quantiles(r, fc->level, fc->q, PCS_QDIST_MAX);
	if (fc->nq < 2)
		cli_die(EXIT_DATA, "%s: %zu quantile column%s (p50, p99, ...): pcs-risk needs at least two",
		        name, fc->nq, fc->nq == 1 ? "" : "s");
}

static void
buf_clear(struct group_buf *b)
{
	for (size_t i = 0; i < b->n; i++)
		free((char *)b->d[i].region);
	b->n = 0;
	free(b->group);
	b->group = NULL;
}

static int
take_row(pcs_reader *r, const struct forecast_cols *fc, struct group_buf *b,
         const char **group, pcs_error *err)
{
	struct pcs_demand dm;
	const char *region = "*";
	double q[PCS_QDIST_MAX], hs;
	int rc;

	memset(&dm, 0, sizeof dm);
	if ((rc = pcs_field_text(r, fc->group, 1, group, err)) != 0 ||
	    (rc = pcs_field_text(r, fc->region, 0, &region, err)) > 0 ||
	    (rc = pcs_field_double(r, fc->horizon, 1, 1, 1e12, &hs, err)) != 0 ||
	    (rc = pcs_field_time(r, fc->target, 1, &dm.target, err)) != 0)
		return rc;
	if (hs != floor(hs))
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "horizon_s",
		                     "not a whole number of seconds: %g", hs);
	for (size_t i = 0; i < fc->nq; i++)
		if ((rc = pcs_field_double(r, fc->q[i], 1, 0, INFINITY, &q[i], err)) != 0)
			return rc;
	for (size_t i = 1; i < fc->nq; i++)
		if (q[i] < q[i - 1])
			return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r),
			                     pcs_reader_column_name(r, fc->q[i]),
			                     "quantiles cross: %g is below the level before it", q[i]);
	pcs_qdist_init(&dm.dist, fc->level, q, fc->nq, 0);
	dm.horizon_s = (int64_t)hs;
	dm.line = pcs_reader_line(r);
	if (b->group && (strcmp(b->group, *group) != 0 || b->issued != dm.target - dm.horizon_s))
		return -2;   /* a new group or issue: the caller flushes first */
	if (b->n == MAX_ISSUE_ROWS)
		return pcs_error_set(err, PCS_ELIMIT, pcs_reader_line(r), NULL,
		                     "group '%s': more than %d rows in one forecast issue",
		                     *group, MAX_ISSUE_ROWS);
	b->issued = dm.target - dm.horizon_s;
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 16;
		struct pcs_demand *nd = realloc(b->d, nc * sizeof *nd);
		if (nd == NULL)
			cli_die(EXIT_DATA, "out of memory");
		b->d = nd;
		b->cap = nc;
	}
	if ((dm.region = strdup(region)) == NULL || (b->group == NULL && (b->group = strdup(*group)) == NULL))
		cli_die(EXIT_DATA, "out of memory");
	b->d[b->n++] = dm;
	return 0;
}

static void
flush(struct options *o, pcs_capacity *cap, struct group_buf *b, const char *name,
      pcs_writer *w)
{
	struct pcs_risk_row *rows;
	size_t n;
	pcs_error err;

	if (b->n == 0)
		return;
	if (pcs_risk_group(cap, b->group, b->d, b->n, &o->cfg, &rows, &n, &err) != 0) {
		if (err.code == PCS_ENOMEM)
			cli_die(EXIT_DATA, "out of memory");
		/* a missing capacity row: say which file lacks it */
		if (strstr(err.msg, "no capacity row") != NULL)
			snprintf(err.msg + strlen(err.msg), sizeof err.msg - strlen(err.msg), " in %s",
			         capacity_name(o));
		cli_bad_row(&o->c, name, &err);
		buf_clear(b);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pcs_risk_row *r = &rows[i];
		pcs_writer_str(w, r->pop->group);
		pcs_writer_str(w, r->pop->pop);
		pcs_writer_int(w, r->horizon_s);
		pcs_writer_time(w, r->target);
		pcs_writer_num(w, r->demand_p50);
		pcs_writer_num(w, r->demand_p99);
		pcs_writer_num(w, r->capacity_rps);
		pcs_writer_num(w, r->headroom_rps);
		pcs_writer_num(w, r->p_exceed);
		pcs_writer_num(w, r->shortfall_rps);
		pcs_writer_num(w, r->risk);
		pcs_writer_str(w, pcs_risk_level_name(r->level));
		if (pcs_writer_end_row(w) != 0)
			cli_write_failed();
	}
	free(rows);
	buf_clear(b);
}

struct forecast_in {
	struct options *o;
	pcs_capacity *cap;
	pcs_strset *seen;        /* group -> index into issued */
	int64_t *issued;         /* each group's latest issue time */
	size_t ngroups, issued_cap;
	pcs_writer *w;
	struct forecast_cols fc;
	struct group_buf b;
	const char *name;
	int started;
};

static size_t
forecast_columns(pcs_reader *r, void *ctx, int *req)
{
	struct forecast_in *in = ctx;

	req[0] = in->fc.group = pcs_reader_column(r, "group");
	req[1] = in->fc.horizon = pcs_reader_column(r, "horizon_s");
	req[2] = in->fc.target = pcs_reader_column(r, "target");
	in->fc.region = pcs_reader_column(r, "region");
	in->started = 0;
	return 3;
}

static int
forecast_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct forecast_in *in = ctx;
	const char *group;
	int rc;

	if (!in->started) {
		find_quantiles(r, name, &in->fc);
		in->started = 1;
	}
	in->name = name;
	rc = take_row(r, &in->fc, &in->b, &group, err);
	if (rc == -2) {
		flush(in->o, in->cap, &in->b, name, in->w);
		rc = take_row(r, &in->fc, &in->b, &group, err);
	}
	if (rc != 0)
		return rc;
	if (in->b.n == 1) {
		/* a group's rows of one issue must stay together (pcs-forecast
		 * writes them so); a later issue may follow other groups, as when
		 * runs are concatenated */
		size_t at;
		if (!pcs_strset_get(in->seen, group, &at)) {
			if (in->o->c.max_keys && in->ngroups == in->o->c.max_keys)
				return pcs_error_set(err, PCS_ELIMIT, pcs_reader_line(r), NULL,
				                     "more than %zu groups: raise --max-keys",
				                     in->o->c.max_keys);
			if (in->ngroups == in->issued_cap) {
				size_t nc = in->issued_cap ? 2 * in->issued_cap : 64;
				int64_t *ni = realloc(in->issued, nc * sizeof *ni);
				if (ni == NULL)
					return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
				in->issued = ni;
				in->issued_cap = nc;
			}
			at = in->ngroups++;
			if (pcs_strset_put(in->seen, group, at) != 0)
				return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		} else if (in->issued[at] >= in->b.issued) {
			cli_die(EXIT_DATA, "%s:%ld: group '%s' again, after other groups: pcs-risk "
			        "takes the rows of a group's forecast issue together (as pcs-forecast "
			        "writes them); merge sharded forecasts sorted by group",
			        name, pcs_reader_line(r), group);
		}
		in->issued[at] = in->b.issued;
	}
	return 0;
}

static int
read_forecast(const char *path, struct forecast_in *in)
{
	struct cli_stream spec = { in->o->c.input_format, 0, forecast_columns, forecast_record };
	int rc = cli_read_stream(&in->o->c, path, &spec, in);

	flush(in->o, in->cap, &in->b, in->name, in->w);   /* the last group */
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	pcs_capacity *cap;
	pcs_strset *seen;
	pcs_writer *w;
	int status = 0;

	cli_init("pcs-risk", usage_line, help_text, argv);
	memset(&o, 0, sizeof o);
	parse_options(&o, argc, argv);
	cap = load_capacity(&o);
	if ((seen = pcs_strset_new()) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	w = pcs_writer_new(stdout, o.c.output_format, o.c.header, o.c.epoch, out_cols,
	                   sizeof out_cols / sizeof *out_cols);
	if (w == NULL)
		cli_die(EXIT_DATA, "out of memory");
	{
		struct forecast_in in = { .o = &o, .cap = cap, .seen = seen, .w = w };
		if (optind == argc && read_forecast("-", &in) != 0)
			status = EXIT_DATA;
		for (int i = optind; i < argc; i++)
			if (read_forecast(argv[i], &in) != 0)
				status = EXIT_DATA;
		free(in.b.d);
		free(in.issued);
	}
	/* name the other side of every mismatch too */
	for (size_t i = 0; i < pcs_capacity_count(cap); i++) {
		const struct pcs_pop *p = pcs_capacity_get(cap, i);
		if (!p->used && !pcs_strset_has(seen, p->group) &&
		    (i == 0 || strcmp(pcs_capacity_get(cap, i - 1)->group, p->group) != 0))
			cli_warn("%s:%ld: group '%s' has capacity but no forecast", capacity_name(&o),
			         p->line, p->group);
	}
	cli_bad_summary(&o.c);
	if (pcs_writer_finish(w) != 0)
		cli_write_failed();
	pcs_writer_free(w);
	pcs_strset_free(seen);
	pcs_capacity_free(cap);
	cli_exit(status);
}
