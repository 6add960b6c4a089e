/* pcs-route-weights — routing weights and circuit breakers from POP health. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_line[] = "[--state file] [--plan file] [options] [file ...]";

static const char help_text[] =
	"Read per-POP health samples; write routing weights per group that favour\n"
	"spare capacity, low latency and few errors, with a circuit breaker per POP.\n"
	"      --state FILE          smoothing and breaker state, kept between runs\n"
	"      --wait DUR            wait this long for another run's lock (default 0)\n"
	"      --plan FILE           take shadow status from a pcs-shadow-plan stream\n"
	"      --each-tick           write weights at every tick of a time-ordered stream\n"
	"  -f, --format FMT          csv, ndjson, envoy-eds, route53 or haproxy\n"
	"      --pick N              draw N POPs per group from the weights (alias method)\n"
	"      --seed S              seed of --pick (default 1)\n"
	"  weights:  --capacity-weight X (0.5) --latency-power X (1) --shadow-bonus X (0.2)\n"
	"            --latency-tau DUR (30s) --peak-ewma --max-step X (0.1)\n"
	"  breakers: --window DUR (60s) --min-requests N (20) --error-threshold X (0.5)\n"
	"            --slow-threshold X (0.5) --slow-ms MS (1000) --sleep DUR (30s)\n"
	"            --max-sleep DUR (5m) --probe-share X (0.05) --probe-successes N (3)\n"
	"            --max-ejection X (0.5)\n"
	"  formats:  --overprovisioning N (140) --r53-name NAME --r53-type TYPE (CNAME)\n"
	"            --r53-ttl N (60)\n"
	"  -i, --input-format FMT    csv or ndjson (default: detected)\n"
	"  -o, --output-format FMT   csv or ndjson (default csv)\n"
	"      --no-header           omit the CSV header line\n"
	"      --skip-bad            report and skip bad rows instead of stopping\n"
	"      --epoch               write timestamps as Unix seconds\n"
	"      --max-keys N          most POPs held (default 100000, 0: no limit)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"See pcs-route-weights(1).\n";

enum {
	OPT_STATE = OPT_TOOL, OPT_WAIT, OPT_PLAN, OPT_EACH_TICK, OPT_PICK, OPT_SEED,
	OPT_CAP_W, OPT_LAT_POW, OPT_BONUS, OPT_TAU, OPT_PEAK, OPT_STEP, OPT_WINDOW, OPT_MIN_REQ,
	OPT_ERR_T, OPT_SLOW_T, OPT_SLOW_MS, OPT_SLEEP, OPT_MAX_SLEEP, OPT_PROBE, OPT_PROBE_OK,
	OPT_EJECT, OPT_OVERPROV, OPT_R53_NAME, OPT_R53_TYPE, OPT_R53_TTL
};
enum { FMT_STREAM, FMT_ENVOY, FMT_ROUTE53, FMT_HAPROXY };

static const struct option longopts[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "each-tick", no_argument, NULL, OPT_EACH_TICK },
	{ "format", required_argument, NULL, 'f' },
	{ "pick", required_argument, NULL, OPT_PICK },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "capacity-weight", required_argument, NULL, OPT_CAP_W },
	{ "latency-power", required_argument, NULL, OPT_LAT_POW },
	{ "shadow-bonus", required_argument, NULL, OPT_BONUS },
	{ "latency-tau", required_argument, NULL, OPT_TAU },
	{ "peak-ewma", no_argument, NULL, OPT_PEAK },
	{ "max-step", required_argument, NULL, OPT_STEP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "min-requests", required_argument, NULL, OPT_MIN_REQ },
	{ "error-threshold", required_argument, NULL, OPT_ERR_T },
	{ "slow-threshold", required_argument, NULL, OPT_SLOW_T },
	{ "slow-ms", required_argument, NULL, OPT_SLOW_MS },
	{ "sleep", required_argument, NULL, OPT_SLEEP },
	{ "max-sleep", required_argument, NULL, OPT_MAX_SLEEP },
	{ "probe-share", required_argument, NULL, OPT_PROBE },
	{ "probe-successes", required_argument, NULL, OPT_PROBE_OK },
	{ "max-ejection", required_argument, NULL, OPT_EJECT },
	{ "overprovisioning", required_argument, NULL, OPT_OVERPROV },
	{ "r53-name", required_argument, NULL, OPT_R53_NAME },
	{ "r53-type", required_argument, NULL, OPT_R53_TYPE },
	{ "r53-ttl", required_argument, NULL, OPT_R53_TTL },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const weight_cols[] = {
	"ts", "group", "pop", "weight", "share", "breaker", "shadow", "reason"
};
static const char *const pick_cols[] = { "ts", "group", "draw", "pop" };

static const char *const map_names[] = {
	"address", "port", "record_name", "record_type", "record_value", "backend", "server"
};

/* Where a POP goes in each router's terms, from optional health columns. */
struct target {
	char *address, *record_name, *record_type, *record_value, *backend, *server;
	long port;
};

struct options {
	struct cli_common c;
	struct pcs_route_params p;
	const char *state, *plan, *r53_name, *r53_type;
	double wait;
	int each_tick, format;
	long pick, overprov, r53_ttl;
	uint64_t seed;
};

struct health_in {
	struct options *o;
	pcs_router *router;
	pcs_writer *w;
	int h[10], map[7];
	int64_t tick;            /* the ts of the samples being gathered */
	int have_tick;
	pcs_strset *targets;     /* "group\x1fpop" -> index into tg */
	struct target *tg;
	size_t ntg, cap;
	uint64_t rng;
};

static long
whole_arg(const char *opt, const char *arg, long lo, long hi)
{
	double v = cli_number_arg(opt, arg, (double)lo, 0, (double)hi, 0);

	if (v != floor(v))
		cli_usage_error("%s: want a whole number: \"%s\"", opt, arg);
	return (long)v;
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	int opt;

	cli_common_defaults(&o->c);
	pcs_route_defaults(&o->p);
	o->overprov = 140;
	o->r53_type = "CNAME";
	o->r53_ttl = 60;
	o->seed = 1;
	while ((opt = getopt_long(argc, argv, ":f:" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(&o->c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_STATE: o->state = optarg; break;
		case OPT_WAIT: o->wait = (double)cli_duration_arg("--wait", optarg, 1); break;
		case OPT_PLAN: o->plan = optarg; break;
		case OPT_EACH_TICK: o->each_tick = 1; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0 || strcmp(optarg, "ndjson") == 0) {
				o->format = FMT_STREAM;
				o->c.output_format = pcs_format_parse(optarg);
			} else if (strcmp(optarg, "envoy-eds") == 0) {
				o->format = FMT_ENVOY;
			} else if (strcmp(optarg, "route53") == 0) {
				o->format = FMT_ROUTE53;
			} else if (strcmp(optarg, "haproxy") == 0) {
				o->format = FMT_HAPROXY;
			} else {
				cli_usage_error("-f: unknown format '%s' "
				                "(csv, ndjson, envoy-eds, route53 or haproxy)", optarg);
			}
			break;
		case OPT_PICK: o->pick = whole_arg("--pick", optarg, 1, 1000000000); break;
		case OPT_SEED: o->seed = (uint64_t)whole_arg("--seed", optarg, 0, 2147483647L * 1024); break;
		case OPT_CAP_W: o->p.capacity_weight = cli_number_arg("--capacity-weight", optarg, 0, 0, 1, 0); break;
		case OPT_LAT_POW: o->p.latency_power = cli_number_arg("--latency-power", optarg, 0, 0, 10, 0); break;
		case OPT_BONUS: o->p.shadow_bonus = cli_number_arg("--shadow-bonus", optarg, 0, 0, 1, 0); break;
		case OPT_TAU: o->p.latency_tau = (double)cli_duration_arg("--latency-tau", optarg, 0); break;
		case OPT_PEAK: o->p.peak_ewma = 1; break;
		case OPT_STEP: o->p.max_step = cli_number_arg("--max-step", optarg, 0.001, 0, 1, 0); break;
		case OPT_WINDOW: o->p.window = cli_duration_arg("--window", optarg, 0); break;
		case OPT_MIN_REQ: o->p.min_requests = cli_number_arg("--min-requests", optarg, 0, 0, 1e12, 0); break;
		case OPT_ERR_T: o->p.error_threshold = cli_number_arg("--error-threshold", optarg, 0.001, 0, 1, 0); break;
		case OPT_SLOW_T: o->p.slow_threshold = cli_number_arg("--slow-threshold", optarg, 0.001, 0, 1, 0); break;
		case OPT_SLOW_MS: o->p.slow_ms = cli_number_arg("--slow-ms", optarg, 0.001, 0, 1e9, 0); break;
		case OPT_SLEEP: o->p.sleep = cli_duration_arg("--sleep", optarg, 0); break;
		case OPT_MAX_SLEEP: o->p.max_sleep = cli_duration_arg("--max-sleep", optarg, 0); break;
		case OPT_PROBE: o->p.probe_share = cli_number_arg("--probe-share", optarg, 0, 0, 0.5, 0); break;
		case OPT_PROBE_OK: o->p.probe_successes = (int)whole_arg("--probe-successes", optarg, 1, 1000); break;
		case OPT_EJECT: o->p.max_ejection = cli_number_arg("--max-ejection", optarg, 0, 0, 1, 0); break;
		case OPT_OVERPROV: o->overprov = whole_arg("--overprovisioning", optarg, 1, 1000000); break;
		case OPT_R53_NAME: o->r53_name = optarg; break;
		case OPT_R53_TYPE: o->r53_type = optarg; break;
		case OPT_R53_TTL: o->r53_ttl = whole_arg("--r53-ttl", optarg, 0, 2147483647); break;
		default: cli_usage_error(NULL);
		}
	}
	if (o->p.max_sleep < o->p.sleep)
		cli_usage_error("--max-sleep (%llds) is shorter than --sleep (%llds)",
		                (long long)o->p.max_sleep, (long long)o->p.sleep);
	if (o->pick && o->format != FMT_STREAM)
		cli_usage_error("--pick writes a stream: it does not go with -f %s",
		                o->format == FMT_ENVOY ? "envoy-eds" : o->format == FMT_ROUTE53 ? "route53" :
		                "haproxy");
}

/* ---- the router formats ---- */

static struct target *target_slot(struct health_in *in, const char *group, const char *pop);

/* Router names of (group, pop): from this run's columns, or else from the
 * labels the state kept of an earlier run. */
static struct target *
target_of(struct health_in *in, const char *group, const char *pop)
{
	char key[1024];
	size_t at;
	const char *labels;
	json_t *j;
	struct target *t;

	snprintf(key, sizeof key, "%s\x1f%s", group, pop);
	if (pcs_strset_get(in->targets, key, &at))
		return &in->tg[at];
	if ((labels = pcs_router_labels(in->router, group, pop)) == NULL ||
	    (j = json_loads(labels, 0, NULL)) == NULL)
		return NULL;
	if ((t = target_slot(in, group, pop)) != NULL) {
		char **slot[7] = { &t->address, NULL, &t->record_name, &t->record_type,
		                   &t->record_value, &t->backend, &t->server };
		for (int i = 0; i < 7; i++) {
			json_t *v = json_object_get(j, map_names[i]);
			if (slot[i] && json_is_string(v))
				*slot[i] = strdup(json_string_value(v));
			else if (i == 1 && json_is_integer(v))
				t->port = (long)json_integer_value(v);
		}
	}
	json_decref(j);
	return t;
}

static void
put_json(json_t *j)
{
	if (j == NULL || json_dumpf(j, stdout, JSON_COMPACT) != 0 || putchar('\n') == EOF)
		cli_write_failed();
	json_decref(j);
}

/* rows[first..first+n) are one group's */
static void
write_group(struct health_in *in, int64_t ts, const struct pcs_route_out *rows, size_t n)
{
	struct options *o = in->o;
	double *share = malloc(n * sizeof *share);
	long *wt = malloc(n * sizeof *wt);
	long total = o->format == FMT_ROUTE53 ? 255 : o->format == FMT_HAPROXY ? 256 : 1000;
	char tsbuf[40];

	if (share == NULL || wt == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < n; i++)
		share[i] = rows[i].share;
	pcs_integer_weights(share, n, total, wt);
	pcs_time_format(ts, tsbuf, sizeof tsbuf);
	if (o->pick) {
		pcs_alias *a = pcs_alias_new(share, n);
		for (long d = 1; a && d <= o->pick; d++) {
			double u1 = pcs_uniform(&in->rng), u2 = pcs_uniform(&in->rng);
			pcs_writer_time(in->w, ts);
			pcs_writer_str(in->w, rows[0].group);
			pcs_writer_int(in->w, d);
			pcs_writer_str(in->w, rows[pcs_alias_draw(a, u1, u2)].pop);
			if (pcs_writer_end_row(in->w) != 0)
				cli_write_failed();
		}
		pcs_alias_free(a);
	} else if (o->format == FMT_STREAM) {
		for (size_t i = 0; i < n; i++) {
			pcs_writer_time(in->w, ts);
			pcs_writer_str(in->w, rows[i].group);
			pcs_writer_str(in->w, rows[i].pop);
			pcs_writer_int(in->w, wt[i]);
			pcs_writer_num(in->w, rows[i].share);
			pcs_writer_str(in->w, pcs_breaker_name(rows[i].breaker));
			pcs_writer_int(in->w, rows[i].shadow == PCS_SHADOW_ACTIVE_POP);
			pcs_writer_str(in->w, rows[i].reason);
			if (pcs_writer_end_row(in->w) != 0)
				cli_write_failed();
		}
	} else if (o->format == FMT_ENVOY) {
		/* a ClusterLoadAssignment: one locality per POP; Envoy wants
		 * locality weights >= 1, so a POP with no share is UNHEALTHY */
		json_t *eps = json_array();
		for (size_t i = 0; i < n; i++) {
			const struct target *t = target_of(in, rows[i].group, rows[i].pop);
			/* a half-open POP stays HEALTHY with its probe weight: Envoy
			 * sends DEGRADED hosts nothing while enough others are healthy */
			const char *health = rows[i].breaker == PCS_BREAKER_OPEN ? "UNHEALTHY" : "HEALTHY";
			int standby = rows[i].shadow == PCS_SHADOW_WARM_POP && wt[i] == 0;
			json_array_append_new(eps, json_pack(
				"{s:{s:s},s:[{s:{s:{s:{s:s,s:I}}},s:s}],s:I,s:I}",
				"locality", "zone", rows[i].pop,
				"lb_endpoints", "endpoint", "address", "socket_address",
				"address", t && t->address ? t->address : rows[i].pop,
				"port_value", (json_int_t)(t && t->port > 0 ? t->port : 80),
				"health_status", wt[i] > 0 || standby ? health : "UNHEALTHY",
				"load_balancing_weight", (json_int_t)(wt[i] > 0 ? wt[i] : 1),
				/* active shadows carry their share at priority 0; a warm
				 * shadow with no share yet waits below as failover */
				"priority", (json_int_t)(rows[i].shadow == PCS_SHADOW_WARM_POP && wt[i] == 0 ? 1 : 0)));
		}
		put_json(json_pack("{s:s,s:o,s:{s:I}}", "cluster_name", rows[0].group, "endpoints", eps,
		                   "policy", "overprovisioning_factor", (json_int_t)o->overprov));
	} else if (o->format == FMT_ROUTE53) {
		/* a ChangeResourceRecordSets change batch of weighted records */
		json_t *changes = json_array();
		char comment[256];
		for (size_t i = 0; i < n; i++) {
			const struct target *t = target_of(in, rows[i].group, rows[i].pop);
			char name[512];
			snprintf(name, sizeof name, "%s", t && t->record_name ? t->record_name :
			         o->r53_name ? o->r53_name : rows[i].group);
			json_array_append_new(changes, json_pack(
				"{s:s,s:{s:s,s:s,s:s,s:I,s:I,s:[{s:s}]}}",
				"Action", "UPSERT", "ResourceRecordSet",
				"Name", name,
				"Type", t && t->record_type ? t->record_type : o->r53_type,
				"SetIdentifier", rows[i].pop,
				"Weight", (json_int_t)wt[i],
				"TTL", (json_int_t)o->r53_ttl,
				"ResourceRecords", "Value", t && t->record_value ? t->record_value : rows[i].pop));
		}
		snprintf(comment, sizeof comment, "pcs-route-weights %s %s", rows[0].group, tsbuf);
		put_json(json_pack("{s:s,s:o}", "Comment", comment, "Changes", changes));
	} else {
		/* HAProxy runtime API (the stats socket) */
		for (size_t i = 0; i < n; i++) {
			const struct target *t = target_of(in, rows[i].group, rows[i].pop);
			const char *be = t && t->backend ? t->backend : rows[i].group;
			const char *sv = t && t->server ? t->server : rows[i].pop;
			if (rows[i].breaker == PCS_BREAKER_OPEN)
				printf("set server %s/%s state maint\n", be, sv);
			else
				printf("set server %s/%s state ready\nset server %s/%s weight %ld\n",
				       be, sv, be, sv, wt[i]);
		}
	}
	if (ferror(stdout))
		cli_write_failed();
	free(share);
	free(wt);
}

/* The stream writer, made on first use: a run that fails before its first
 * tick writes not even a header. */
static void
open_writer(struct health_in *in)
{
	struct options *o = in->o;

	if (in->w || o->format != FMT_STREAM)
		return;
	in->w = o->pick ? pcs_writer_new(stdout, o->c.output_format, o->c.header, o->c.epoch,
	                                 pick_cols, 4)
	                : pcs_writer_new(stdout, o->c.output_format, o->c.header, o->c.epoch,
	                                 weight_cols, sizeof weight_cols / sizeof *weight_cols);
	if (in->w == NULL)
		cli_die(EXIT_DATA, "out of memory");
}

static void
write_all(struct health_in *in, int64_t ts, const struct pcs_route_out *rows, size_t n)
{
	open_writer(in);
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		while (i + k < n && strcmp(rows[i + k].group, rows[i].group) == 0)
			k++;
		write_group(in, ts, rows + i, k);
		i += k;
	}
}

static void
close_tick(struct health_in *in, int emit)
{
	const struct pcs_route_out *rows;
	size_t n;
	pcs_error err;

	if (!in->have_tick)
		return;
	if (pcs_router_tick(in->router, in->tick, &rows, &n, &err) != 0)
		cli_die(EXIT_DATA, "%s", err.msg);
	if (emit) {
		write_all(in, in->tick, rows, n);
		/* a live stream wants each tick's weights as soon as they exist */
		if (in->o->each_tick && ((in->w && pcs_writer_finish(in->w) != 0) || fflush(stdout) != 0))
			cli_write_failed();
	}
	in->have_tick = 0;
}

/* ---- reading ---- */

static const char *const health_names[] = {
	"ts", "pop", "capacity_rps", "latency_ms", "error_rate", "group", "load_rps",
	"requests", "shadow", ""
};

static size_t
health_columns(pcs_reader *r, void *ctx, int *req)
{
	struct health_in *in = ctx;

	for (int i = 0; i < 9; i++)
		in->h[i] = pcs_reader_column(r, health_names[i]);
	for (int i = 0; i < 7; i++)
		in->map[i] = pcs_reader_column(r, map_names[i]);
	memcpy(req, in->h, 5 * sizeof *req);
	return 5;
}

static int
remember_target(struct health_in *in, pcs_reader *r, const char *group, const char *pop,
                pcs_error *err)
{
	const char *v[7] = { 0 };
	double port = 0;
	struct target *t;
	int any = 0, rc;

	for (int i = 0; i < 7; i++) {
		if (i == 1) {
			if ((rc = pcs_field_double(r, in->map[i], 0, 1, 65535, &port, err)) > 0)
				return rc;
			any |= rc == 0;
		} else if ((rc = pcs_field_text(r, in->map[i], 0, &v[i], err)) > 0) {
			return rc;
		} else {
			any |= rc == 0;
		}
	}
	if (!any)
		return 0;
	if ((t = target_slot(in, group, pop)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	{
		char **slot[7] = { &t->address, NULL, &t->record_name, &t->record_type,
		                   &t->record_value, &t->backend, &t->server };
		json_t *labels = json_object();
		char *text;
		for (int i = 0; i < 7; i++)
			if (slot[i] && v[i]) {
				free(*slot[i]);
				if ((*slot[i] = strdup(v[i])) == NULL)
					return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			}
		if (port > 0)
			t->port = (long)port;
		/* kept in the state, so that a run with nothing new names them too */
		for (int i = 0; i < 7; i++)
			if (slot[i] && *slot[i])
				json_object_set_new(labels, map_names[i], json_string(*slot[i]));
		if (t->port > 0)
			json_object_set_new(labels, "port", json_integer(t->port));
		text = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(labels);
		if (text == NULL || pcs_router_set_labels(in->router, group, pop, text, err) != 0) {
			free(text);
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		}
		free(text);
	}
	return 0;
}

/* The target record of (group, pop), made empty when new. */
static struct target *
target_slot(struct health_in *in, const char *group, const char *pop)
{
	char key[1024];
	size_t at;

	snprintf(key, sizeof key, "%s\x1f%s", group, pop);
	if (pcs_strset_get(in->targets, key, &at))
		return &in->tg[at];
	if (in->ntg == in->cap) {
		size_t nc = in->cap ? in->cap * 2 : 16;
		struct target *nt = realloc(in->tg, nc * sizeof *nt);
		if (nt == NULL)
			return NULL;
		in->tg = nt;
		in->cap = nc;
	}
	memset(&in->tg[in->ntg], 0, sizeof in->tg[0]);
	at = in->ntg++;
	return pcs_strset_put(in->targets, key, at) == 0 ? &in->tg[at] : NULL;
}

static int
health_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct health_in *in = ctx;
	struct pcs_health h;
	double shadow = -1;
	const char *group = "*";
	int rc;

	(void)name;
	memset(&h, 0, sizeof h);
	h.requests = -1;
	if ((rc = pcs_field_time(r, in->h[0], 1, &h.ts, err)) != 0 ||
	    (rc = pcs_field_text(r, in->h[1], 1, &h.pop, err)) != 0 ||
	    (rc = pcs_field_double(r, in->h[2], 1, 0, INFINITY, &h.capacity_rps, err)) != 0 ||
	    (rc = pcs_field_double(r, in->h[3], 1, 0, INFINITY, &h.latency_ms, err)) != 0 ||
	    (rc = pcs_field_double(r, in->h[4], 1, 0, 1, &h.error_rate, err)) != 0 ||
	    (rc = pcs_field_text(r, in->h[5], 0, &group, err)) > 0 ||
	    (rc = pcs_field_double(r, in->h[6], 0, 0, INFINITY, &h.load_rps, err)) > 0 ||
	    (rc = pcs_field_double(r, in->h[7], 0, 0, INFINITY, &h.requests, err)) > 0 ||
	    (rc = pcs_field_double(r, in->h[8], 0, 0, 1, &shadow, err)) > 0)
		return rc;
	if (shadow >= 0 && shadow != 0 && shadow != 1)   /* 1: an active shadow */
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "shadow", "want 0 or 1");
	if (pcs_reader_field(r, in->h[5]) && *pcs_reader_field(r, in->h[5]) == '\0')
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "group", "empty");
	h.group = group;
	h.shadow = (int)shadow;
	/* checked first: once this run has read a tick, an older sample is out
	 * of order, not one an earlier run took in (the last tick closed by
	 * this run would otherwise skip it without a word) */
	if (in->have_tick && h.ts < in->tick)
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "ts",
		                     "time went backwards: the stream must be in time order");
	if (h.ts <= pcs_router_last_tick(in->router))
		return 0;   /* already taken into the state by an earlier run */
	if (in->have_tick && h.ts > in->tick)
		close_tick(in, in->o->each_tick);
	in->tick = h.ts;
	in->have_tick = 1;
	if ((rc = remember_target(in, r, group, h.pop, err)) != 0)
		return rc;
	if ((rc = pcs_router_observe(in->router, &h, err)) != 0)
		err->line = pcs_reader_line(r);
	return rc;
}

/* --plan: each shadow's status on a (group, pop) is that of its latest
 * to_state; the POP takes the strongest of its shadows' (one per primary). */
struct plan_shadow {
	char *group, *pop;
	int status;               /* PCS_SHADOW_*_POP */
};

struct plan_in {
	int h[5];
	pcs_strset *index;        /* "group\x1fpop\x1fservice\x1fprimary" -> shadow */
	struct plan_shadow *sh;
	size_t n, cap;
};

static size_t
plan_columns(pcs_reader *r, void *ctx, int *req)
{
	struct plan_in *in = ctx;
	static const char *const names[] = { "group", "pop", "to_state", "service", "primary" };

	for (int i = 0; i < 5; i++)
		in->h[i] = pcs_reader_column(r, names[i]);
	memcpy(req, in->h, 3 * sizeof *req);
	return 3;
}

static int
plan_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct plan_in *in = ctx;
	const char *group, *pop, *state, *service = "", *primary = "";
	char key[1024];
	size_t at;
	int rc, st;

	(void)name;
	if ((rc = pcs_field_text(r, in->h[0], 1, &group, err)) != 0 ||
	    (rc = pcs_field_text(r, in->h[1], 1, &pop, err)) != 0 ||
	    (rc = pcs_field_text(r, in->h[2], 1, &state, err)) != 0 ||
	    (rc = pcs_field_text(r, in->h[3], 0, &service, err)) > 0 ||
	    (rc = pcs_field_text(r, in->h[4], 0, &primary, err)) > 0)
		return rc;
	if ((st = pcs_shadow_state_of(state)) < 0)
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "to_state",
		                     "not a shadow state: \"%.64s\"", state);
	snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s", group, pop, service, primary);
	if (!pcs_strset_get(in->index, key, &at)) {
		if (in->n == in->cap) {
			size_t nc = in->cap ? in->cap * 2 : 16;
			struct plan_shadow *ns = realloc(in->sh, nc * sizeof *ns);
			if (ns == NULL)
				return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			in->sh = ns;
			in->cap = nc;
		}
		at = in->n;
		in->sh[at].group = strdup(group);
		in->sh[at].pop = strdup(pop);
		if (!in->sh[at].group || !in->sh[at].pop || pcs_strset_put(in->index, key, at) != 0)
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		in->n++;
	}
	/* the latest row wins */
	in->sh[at].status = pcs_route_shadow_status(st);
	return 0;
}

static void
read_plan(struct options *o, pcs_router *router)
{
	struct cli_stream spec = { PCS_FMT_AUTO, 1, plan_columns, plan_record };
	struct plan_in in = { .index = pcs_strset_new() };
	pcs_error err;

	if (in.index == NULL)
		cli_die(EXIT_DATA, "out of memory");
	cli_read_stream(&o->c, o->plan, &spec, &in);
	/* every POP the plan names is no shadow, then warm, then active: the
	 * strongest status of its shadows wins */
	static const int order[3] = { PCS_SHADOW_NONE_POP, PCS_SHADOW_WARM_POP, PCS_SHADOW_ACTIVE_POP };
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < in.n; i++)
			if ((pass == 0 || in.sh[i].status == order[pass]) &&
			    pcs_router_set_shadow(router, in.sh[i].group, in.sh[i].pop, order[pass], &err) != 0)
				cli_die(EXIT_DATA, "%s", err.msg);
	for (size_t i = 0; i < in.n; i++) {
		free(in.sh[i].group);
		free(in.sh[i].pop);
	}
	free(in.sh);
	pcs_strset_free(in.index);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct health_in in;
	json_t *state = NULL;
	pcs_error err;
	int lock = -1, status = 0;

	cli_init("pcs-route-weights", usage_line, help_text, argv);
	memset(&o, 0, sizeof o);
	parse_options(&o, argc, argv);
	memset(&in, 0, sizeof in);
	in.o = &o;
	in.rng = o.seed;
	if ((in.router = pcs_router_new(&o.p)) == NULL || (in.targets = pcs_strset_new()) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	if (o.state) {
		if ((lock = pcs_state_lock(o.state, o.wait, &err)) < 0)
			cli_die(EXIT_DATA, "%s", err.msg);
		if (pcs_state_read(o.state, "state file", &state, &err) != 0) {
			char msg[512];
			cli_format_error(msg, sizeof msg, o.state, &err);
			cli_die(EXIT_DATA, "%s", msg);
		}
		if (pcs_router_load(in.router, state, &err) != 0)
			cli_die(EXIT_DATA, "%s: %s", o.state, err.msg);
		json_decref(state);
	}
	if (o.plan)
		read_plan(&o, in.router);
	/* the health stream may not add targets past --max-keys (the state
	 * and the plan hold what they hold) */
	pcs_router_set_max_targets(in.router, o.c.max_keys);
	{
		struct cli_stream spec = { o.c.input_format, 0, health_columns, health_record };
		if (optind == argc && cli_read_stream(&o.c, "-", &spec, &in) != 0)
			status = EXIT_DATA;
		for (int i = optind; i < argc; i++)
			if (cli_read_stream(&o.c, argv[i], &spec, &in) != 0)
				status = EXIT_DATA;
	}
	if (status != 0)
		cli_die(EXIT_DATA, "no weights: the health input could not be read");
	open_writer(&in);   /* the header, even when there is nothing to write */
	if (in.have_tick) {
		close_tick(&in, 1);
	} else if (pcs_router_last_tick(in.router) != PCS_NO_TICK) {
		/* nothing new: the weights as the state left them */
		const struct pcs_route_out *rows;
		size_t n;
		if (pcs_router_current(in.router, &rows, &n, &err) != 0)
			cli_die(EXIT_DATA, "%s", err.msg);
		write_all(&in, pcs_router_last_tick(in.router), rows, n);
	}
	if (in.w && pcs_writer_finish(in.w) != 0)
		cli_write_failed();
	if (fflush(stdout) != 0)
		cli_write_failed();
	if (o.state) {
		json_t *saved = pcs_router_save(in.router);
		if (saved == NULL || pcs_state_write(o.state, saved, &err) != 0)
			cli_die(EXIT_DATA, "%s", saved ? err.msg : "out of memory");
		json_decref(saved);
		pcs_state_unlock(lock);
	}
	cli_bad_summary(&o.c);
	for (size_t i = 0; i < in.ntg; i++) {
		free(in.tg[i].address);
		free(in.tg[i].record_name);
		free(in.tg[i].record_type);
		free(in.tg[i].record_value);
		free(in.tg[i].backend);
		free(in.tg[i].server);
	}
	free(in.tg);
	pcs_strset_free(in.targets);
	pcs_writer_free(in.w);
	pcs_router_free(in.router);
	cli_exit(status);
}
