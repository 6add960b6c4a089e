/* pcs-replay — replay a request history through capacity policies. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_line[] = "-t topology | --auto-topology [options] [file ...]";

static const char help_text[] =
	"Replay a metrics history through capacity policies (static, reactive,\n"
	"predictive-scale, predictive, oracle) and write one summary row per policy:\n"
	"requests offered and dropped, SLO minutes, instance-hours, cost, elasticity.\n"
	"  -t, --topology FILE       the fleet\n"
	"      --auto-topology       size a fleet from the history itself\n"
	"  -p, --policy LIST         policies to run (default: all five)\n"
	"      --warmup DUR          training only, not scored (default 7d, at most half)\n"
	"      --refit DUR           refit the forecast models this often (default 1d)\n"
	"      --window DUR          history a refit sees (default 8w)\n"
	"      --step DUR            the tick (default: the history's step)\n"
	"      --model M             auto, ets or snaive (default auto)\n"
	"  -H, --horizons LIST       risk horizons (default 5m,15m,30m)\n"
	"  -q, --quantiles LIST      forecast levels (default 0.5,0.9,0.95,0.99)\n"
	"      --hpa-target X        reactive target utilization (default 0.7)\n"
	"      --hpa-tolerance X     no change within this ratio (default 0.1)\n"
	"      --stabilization DUR   scale-down stabilization window (default 5m)\n"
	"      --min-replicas N      the HPA's floor (default 1)\n"
	"      --buffer DUR          predictive-scale scheduling buffer (default 5m)\n"
	"      --provision-level Q   predictive: provision the primaries for the\n"
	"                            Q quantile over a boot, from the forecast's\n"
	"                            errors at the same phase (default 0.99; 0: the\n"
	"                            HPA instead)\n"
	"      --provision-target X  ... at this utilization (default 1)\n"
	"      --provision-hold DUR  ... keeping an instance this long after it was\n"
	"                            last wanted (default boot: the primary's boot_s)\n"
	"      --provision-budget R  ... at the highest level up to Q whose last week\n"
	"                            would have held at most R times the instances of\n"
	"                            the HPA (--hpa-target) on the same demand, chosen\n"
	"                            at every refit (default 0: Q always)\n"
	"      --slo-drop X          a tick dropping more than this fraction violates\n"
	"                            the SLO (default 0.001)\n"
	"      --fail POP@FROM..TO   the POP has no capacity from FROM until TO (repeatable)\n"
	"  the shadow planner (predictive), as in pcs-shadow-plan(1):\n"
	CLI_SHADOW_HELP
	"      --no-current          predictive: no horizon-0 risk (pcs-risk without --current)\n"
	"      --shadow-bonus X      predictive's router: the traffic share the active\n"
	"                            shadows get besides their capacity share, as in\n"
	"                            pcs-route-weights(1) (default 0.2)\n"
	"      --timeline FILE       write every tick of every policy and POP\n"
	"      --actions FILE        write the predictive policy's plan rows\n"
	"      --plot FILE.png       draw demand and each policy's capacity (gnuplot)\n"
	"      --plot-range FROM..TO draw only this time range\n"
	"      --pretty              a table for people instead of CSV\n"
	"  -i, --input-format FMT    csv or ndjson (default: detected)\n"
	"  -o, --output-format FMT   csv or ndjson (default csv)\n"
	"      --no-header           omit the CSV header line\n"
	"      --skip-bad            report and skip bad rows instead of stopping\n"
	"      --epoch               write timestamps as Unix seconds\n"
	"      --max-keys N          most series held (default 100000, 0: no limit)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"See pcs-replay(1).\n";

enum { OPT_AUTO = OPT_TOOL, OPT_WARMUP, OPT_REFIT, OPT_WINDOW, OPT_STEP, OPT_MODEL,
       OPT_HPA_TARGET, OPT_HPA_TOL, OPT_STAB, OPT_MIN_REPLICAS, OPT_BUFFER, OPT_SLO,
       OPT_PROV_LEVEL, OPT_PROV_TARGET, OPT_PROV_HOLD, OPT_PROV_BUDGET,
       OPT_FAIL, OPT_NO_CURRENT, OPT_BONUS, OPT_TIMELINE, OPT_ACTIONS, OPT_PLOT, OPT_PLOT_RANGE, OPT_PRETTY };

static const struct option longopts[] = {
	{ "topology", required_argument, NULL, 't' },
	{ "auto-topology", no_argument, NULL, OPT_AUTO },
	{ "policy", required_argument, NULL, 'p' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "refit", required_argument, NULL, OPT_REFIT },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "horizons", required_argument, NULL, 'H' },
	{ "quantiles", required_argument, NULL, 'q' },
	{ "hpa-target", required_argument, NULL, OPT_HPA_TARGET },
	{ "hpa-tolerance", required_argument, NULL, OPT_HPA_TOL },
	{ "stabilization", required_argument, NULL, OPT_STAB },
	{ "min-replicas", required_argument, NULL, OPT_MIN_REPLICAS },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "provision-level", required_argument, NULL, OPT_PROV_LEVEL },
	{ "provision-target", required_argument, NULL, OPT_PROV_TARGET },
	{ "provision-hold", required_argument, NULL, OPT_PROV_HOLD },
	{ "provision-budget", required_argument, NULL, OPT_PROV_BUDGET },
	{ "slo-drop", required_argument, NULL, OPT_SLO },
	{ "fail", required_argument, NULL, OPT_FAIL },
	CLI_SHADOW_LONGOPTS,
	{ "no-current", no_argument, NULL, OPT_NO_CURRENT },
	{ "shadow-bonus", required_argument, NULL, OPT_BONUS },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "actions", required_argument, NULL, OPT_ACTIONS },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "plot-range", required_argument, NULL, OPT_PLOT_RANGE },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const summary_cols[] = {
	"policy", "ticks", "offered", "dropped", "dropped_pct", "slo_minutes", "instance_hours",
	"warm_hours", "cost", "theta_u", "theta_o", "tau_u", "tau_o", "instability",
	"breaker_trips", "churn", "surges", "surges_led", "lead_time_s", "latency_ms", "refits",
	"forecast_errors"
};

static const char *const timeline_cols[] = {
	"ts", "policy", "group", "pop", "demand", "routed", "capacity", "served", "dropped",
	"share", "instances", "ready", "warm", "failed", "breaker"
};

struct options {
	struct cli_common c;
	const char *topology, *timeline, *actions, *plot;
	int64_t plot_from, plot_to;
	int auto_topology, pretty;
	int pol[PCS_NPOLICIES];
	size_t npol;
	int64_t step;
	pcs_horizon_spec horizons;
	double *levels;
	size_t nlevels;
	struct pcs_sim_params p;
	struct pcs_failure *fail;
	size_t nfail;
};

static void
parse_policies(struct options *o, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (copy == NULL)
		cli_die(EXIT_DATA, "out of memory");
	o->npol = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int p = pcs_policy_of(tok);
		if (p < 0)
			cli_usage_error("--policy: unknown policy '%s' (static, reactive, "
			                "predictive-scale, predictive, oracle)", tok);
		for (size_t i = 0; i < o->npol; i++)
			if (o->pol[i] == p)
				cli_usage_error("--policy: '%s' is given twice", tok);
		o->pol[o->npol++] = p;
	}
	free(copy);
	if (o->npol == 0)
		cli_usage_error("--policy: no policy in \"%s\"", list);
}

/* FROM..TO: two times, the end after the start; messages quote shown (the
 * whole argument). */
static void
parse_range(const char *opt, const char *arg, const char *shown, int64_t *from, int64_t *to)
{
	const char *dots = strstr(arg, "..");
	pcs_error err;

	if (dots == NULL)
		cli_usage_error("%s: want FROM..TO: \"%s\"", opt, shown);
	if (pcs_time_parse(arg, (size_t)(dots - arg), from, &err) != 0 ||
	    pcs_time_parse(dots + 2, strlen(dots + 2), to, &err) != 0)
		cli_usage_error("%s: %s in \"%s\"", opt, err.msg, shown);
	if (*to <= *from)
		cli_usage_error("%s: the end is not after the start in \"%s\"", opt, shown);
}

/* --fail POP@FROM..TO */
static void
parse_failure(struct options *o, const char *arg)
{
	const char *at = strchr(arg, '@');
	struct pcs_failure f = { 0 };
	struct pcs_failure *nf;

	if (at == NULL || at == arg || strstr(at, "..") == NULL)
		cli_usage_error("--fail: want POP@FROM..TO: \"%s\"", arg);
	parse_range("--fail", at + 1, arg, &f.from, &f.to);
	if ((f.pop = strndup(arg, (size_t)(at - arg))) == NULL ||
	    (nf = realloc(o->fail, (o->nfail + 1) * sizeof *nf)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	o->fail = nf;
	o->fail[o->nfail++] = f;
}

/* Is name an executable on PATH? */
static int
on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", name);
		if (access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	const char *horizons = "5m,15m,30m", *levels = "0.5,0.9,0.95,0.99";
	pcs_error err;
	int opt;

	cli_common_defaults(&o->c);
	pcs_sim_defaults(&o->p);
	o->plot_from = INT64_MIN;
	o->plot_to = INT64_MAX;
	parse_policies(o, "static,reactive,predictive-scale,predictive,oracle");
	while ((opt = getopt_long(argc, argv, ":t:p:H:q:" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(&o->c, opt, optarg) || cli_shadow_option(&o->p.shadow, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->topology = optarg; break;
		case OPT_AUTO: o->auto_topology = 1; break;
		case 'p': parse_policies(o, optarg); break;
		case 'H': horizons = optarg; break;
		case 'q': levels = optarg; break;
		case OPT_WARMUP: o->p.warmup = cli_duration_arg("--warmup", optarg, 1); break;
		case OPT_REFIT: o->p.refit = cli_duration_arg("--refit", optarg, 1); break;
		case OPT_WINDOW: o->p.window = cli_duration_arg("--window", optarg, 0); break;
		case OPT_STEP: o->step = cli_duration_arg("--step", optarg, 0); break;
		case OPT_MODEL: o->p.model = cli_model_arg(optarg); break;
		case OPT_HPA_TARGET: o->p.hpa_target = cli_number_arg("--hpa-target", optarg, 0, 1, 1, 0); break;
		case OPT_HPA_TOL: o->p.hpa_tolerance = cli_number_arg("--hpa-tolerance", optarg, 0, 0, 1, 1); break;
		case OPT_STAB: o->p.hpa_stabilization = cli_duration_arg("--stabilization", optarg, 1); break;
		case OPT_MIN_REPLICAS:
			o->p.min_replicas = (long)cli_number_arg("--min-replicas", optarg, 0, 0, 1e9, 0);
			if ((double)o->p.min_replicas != strtod(optarg, NULL))
				cli_usage_error("--min-replicas: want a whole number: \"%s\"", optarg);
			break;
		case OPT_BUFFER: o->p.buffer = cli_duration_arg("--buffer", optarg, 1); break;
		case OPT_PROV_LEVEL:
			o->p.prov_level = cli_number_arg("--provision-level", optarg, 0, 0, 1, 1);
			break;
		case OPT_PROV_TARGET:
			o->p.prov_target = cli_number_arg("--provision-target", optarg, 0, 1, 1, 0);
			break;
		case OPT_PROV_HOLD:
			o->p.prov_hold = strcmp(optarg, "boot") == 0 ? -1 :
			                 cli_duration_arg("--provision-hold", optarg, 1);
			break;
		case OPT_PROV_BUDGET:
			o->p.prov_budget = cli_number_arg("--provision-budget", optarg, 0, 0, 1e6, 0);
			break;
		case OPT_SLO: o->p.slo_drop = cli_number_arg("--slo-drop", optarg, 0, 0, 1, 1); break;
		case OPT_FAIL: parse_failure(o, optarg); break;
		case OPT_NO_CURRENT: o->p.risk.current = 0; break;
		case OPT_BONUS:
			o->p.route.shadow_bonus = cli_number_arg("--shadow-bonus", optarg, 0, 0, 1, 0);
			break;
		case OPT_TIMELINE: o->timeline = optarg; break;
		case OPT_ACTIONS: o->actions = optarg; break;
		case OPT_PLOT: o->plot = optarg; break;
		case OPT_PLOT_RANGE: parse_range("--plot-range", optarg, optarg, &o->plot_from, &o->plot_to); break;
		case OPT_PRETTY: o->pretty = 1; break;
		default:
			cli_usage_error(NULL);
		}
	}
	if (!o->topology == !o->auto_topology)
		cli_usage_error("give either -t FILE or --auto-topology");
	cli_shadow_check(&o->p.shadow);
	if (o->auto_topology && o->p.warmup == 0)
		cli_usage_error("--auto-topology sizes the fleet from the warm-up: give one above 0");
	if (o->pretty && o->c.output_format == PCS_FMT_NDJSON)
		cli_usage_error("--pretty and -o ndjson do not go together");
	if (o->plot && !on_path("gnuplot"))
		cli_die(EXIT_DATA, "--plot needs gnuplot, which is not installed "
		        "(Debian: apt-get install gnuplot-nox)");
	if (pcs_horizons_parse(horizons, &o->horizons, &err) != 0)
		cli_usage_error("-H: %s", err.msg);
	if (pcs_levels_parse(levels, &o->levels, &o->nlevels, &err) != 0)
		cli_usage_error("-q: %s", err.msg);
	o->p.failures = o->fail;
	o->p.nfailures = o->nfail;
}

/* ---- the history: each group's demand, its regions added up ---- */

struct history {
	size_t n;
	char **group;
	pcs_series *s;
};

static void
add_into(pcs_series *sum, const pcs_series *part)
{
	int64_t start = sum->n ? (sum->start < part->start ? sum->start : part->start) : part->start;
	int64_t end_a = sum->n ? sum->start + (int64_t)(sum->n - 1) * sum->step : INT64_MIN;
	int64_t end_b = part->start + (int64_t)(part->n - 1) * part->step;
	int64_t end = end_a > end_b ? end_a : end_b;
	size_t n = (size_t)((end - start) / part->step) + 1;
	double *y = malloc(n * sizeof *y);

	if (y == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < n; i++)
		y[i] = NAN;
	for (int pass = 0; pass < 2; pass++) {
		const pcs_series *src = pass ? part : sum;
		for (size_t i = 0; i < src->n; i++) {
			size_t at = (size_t)((src->start - start) / part->step) + i;
			if (!isnan(src->y[i]))
				y[at] = isnan(y[at]) ? src->y[i] : y[at] + src->y[i];
		}
	}
	free(sum->y);
	sum->y = y;
	sum->start = start;
	sum->step = part->step;
	sum->n = n;
}

static void
load_history(struct options *o, int argc, char **argv, struct history *h)
{
	pcs_store *st = pcs_store_new(0, 0);
	int64_t step;
	int status = 0;
	pcs_error err;

	if (st == NULL)
		cli_die(EXIT_DATA, "out of memory");
	pcs_store_set_max_keys(st, o->c.max_keys);
	if (optind == argc && cli_read_metrics(&o->c, "-", st, 0) != 0)
		status = EXIT_DATA;
	for (int i = optind; i < argc; i++)
		if (cli_read_metrics(&o->c, argv[i], st, 0) != 0)
			status = EXIT_DATA;
	if (status != 0)
		cli_die(EXIT_DATA, "no replay: the history could not be read");
	if (pcs_store_sort(st) != 0)
		cli_die(EXIT_DATA, "out of memory");
	if (pcs_store_nkeys(st) == 0)
		cli_die(EXIT_DATA, "no replay: the history has no rows");
	step = o->step;
	if (step == 0 && (step = pcs_store_detect_step(st)) <= 0)
		cli_die(EXIT_DATA, "cannot detect the step from one timestamp per key; give --step");
	memset(h, 0, sizeof *h);
	for (size_t k = 0; k < pcs_store_nkeys(st); k++) {
		const char *g = pcs_store_group(st, k);
		pcs_series part;
		if (h->n == 0 || strcmp(h->group[h->n - 1], g) != 0) {
			char **ng = realloc(h->group, (h->n + 1) * sizeof *ng);
			pcs_series *ns = realloc(h->s, (h->n + 1) * sizeof *ns);
			if (ng == NULL || ns == NULL)
				cli_die(EXIT_DATA, "out of memory");
			h->group = ng;
			h->s = ns;
			memset(&h->s[h->n], 0, sizeof h->s[h->n]);
			if ((h->group[h->n++] = strdup(g)) == NULL)
				cli_die(EXIT_DATA, "out of memory");
		}
		if (pcs_store_series(st, k, step, &part, &err) != 0)
			cli_die(EXIT_DATA, "%s", err.msg);
		add_into(&h->s[h->n - 1], &part);
		pcs_series_free(&part);
	}
	pcs_store_free(st);
}

/* ---- --auto-topology ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Per group: a primary that carries the 95th percentile of the first week
 * (of the warm-up, when shorter) at 10 instances, and two secondaries of 10
 * instances each, 20 and 40 ms away. */
static pcs_topology *
auto_topology(const struct options *o, const struct history *h)
{
	pcs_topology *t = pcs_topology_new();
	pcs_error err;

	if (t == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t g = 0; g < h->n; g++) {
		const pcs_series *s = &h->s[g];
		int64_t span = pcs_sim_warmup(&o->p, (int64_t)s->n * s->step);
		size_t n = 0, m;
		double *v, p95;
		if (span > 7 * 86400)
			span = 7 * 86400;
		m = (size_t)(span / s->step);
		if (m == 0 || m > s->n)
			m = s->n;
		if ((v = malloc(m * sizeof *v)) == NULL)
			cli_die(EXIT_DATA, "out of memory");
		for (size_t i = 0; i < m; i++)
			if (!isnan(s->y[i]))
				v[n++] = s->y[i];
		if (n > 1)
			qsort(v, n, sizeof *v, cmp_double);
		p95 = n ? v[(size_t)(0.95 * (double)(n - 1))] : 0;
		free(v);
		if (!(p95 > 0))
			cli_die(EXIT_DATA, "--auto-topology: group '%s' has no demand in its first week",
			        h->group[g]);
		static const char *const pop[] = { "primary", "secondary-1", "secondary-2" };
		static const double rtt[] = { 0, 20, 40 };
		for (int i = 0; i < 3; i++) {
			struct pcs_topo r;
			memset(&r, 0, sizeof r);
			r.pop = (char *)pop[i];
			r.group = h->group[g];
			r.service = h->group[g];
			r.region = (char *)(i == 0 ? "home" : "other");
			r.primary = i == 0;
			r.instance_rps = p95 / 10;
			r.instances = i == 0 ? 10 : 0;
			r.max_instances = i == 0 ? 20 : 10;
			r.boot_s = 180;
			r.warm_s = 20;
			r.rtt_ms = rtt[i];
			r.cost_per_hour = 1;
			r.warm_cost_frac = 0.1;
			if (pcs_topology_add(t, &r, &err) != 0)
				cli_die(EXIT_DATA, "--auto-topology: %s", err.msg);
		}
	}
	if (pcs_topology_finish(t, &err) != 0)
		cli_die(EXIT_DATA, "--auto-topology: %s", err.msg);
	return t;
}

/* ---- outputs ---- */

struct plot_point {
	int64_t ts;
	int policy;
	double demand, capacity, served;
};

struct sink {
	const struct options *o;
	pcs_writer *timeline, *actions;
	FILE *timeline_fp, *actions_fp;
	struct plot_point *pt;        /* --plot: per tick and policy, POPs added up */
	size_t npt, cpt;
	const char *failed;           /* the output that could not be written */
};

static int
on_tick(void *ctx, const struct pcs_sim_tick *t)
{
	struct sink *k = ctx;

	if (k->timeline) {
		pcs_writer_time(k->timeline, t->ts);
		pcs_writer_str(k->timeline, pcs_policy_name(t->policy));
		pcs_writer_str(k->timeline, t->group);
		pcs_writer_str(k->timeline, t->pop);
		pcs_writer_num(k->timeline, t->demand);
		pcs_writer_num(k->timeline, t->routed);
		pcs_writer_num(k->timeline, t->capacity);
		pcs_writer_num(k->timeline, t->served);
		pcs_writer_num(k->timeline, t->dropped);
		pcs_writer_num(k->timeline, t->share);
		pcs_writer_int(k->timeline, t->instances);
		pcs_writer_int(k->timeline, t->ready);
		pcs_writer_int(k->timeline, t->warm);
		pcs_writer_int(k->timeline, t->failed);
		pcs_writer_str(k->timeline, pcs_breaker_name(t->breaker));
		if (pcs_writer_end_row(k->timeline) != 0) {
			k->failed = k->o->timeline;
			return -1;
		}
	}
	if (k->o->plot) {
		struct plot_point *p = k->npt ? &k->pt[k->npt - 1] : NULL;
		if (p == NULL || p->ts != t->ts || p->policy != t->policy) {
			struct plot_point *np = pcs_grow(k->pt, k->npt, &k->cpt, sizeof *np, 1024);
			if (np == NULL)
				cli_die(EXIT_DATA, "out of memory");
			k->pt = np;
			p = &k->pt[k->npt++];
			*p = (struct plot_point){ t->ts, t->policy, t->demand, 0, 0 };
		}
		p->capacity += t->capacity;
		p->served += t->served;
	}
	return 0;
}

static int
on_action(void *ctx, const struct pcs_action *a)
{
	struct sink *k = ctx;

	if (k->actions && cli_write_action(k->actions, a) != 0) {
		k->failed = k->o->actions;
		return -1;
	}
	return 0;
}

static pcs_writer *
open_output(const struct options *o, const char *path, FILE **fp, const char *const *cols,
            size_t ncols)
{
	pcs_writer *w;

	if ((*fp = fopen(path, "w")) == NULL)
		cli_die(EXIT_DATA, "%s: %s", path, strerror(errno));
	if ((w = pcs_writer_new(*fp, o->c.output_format, o->c.header, o->c.epoch, cols, ncols)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	return w;
}

static void
close_output(pcs_writer *w, FILE *fp, const char *path)
{
	if (w == NULL)
		return;
	if (pcs_writer_finish(w) != 0 || fclose(fp) != 0)
		cli_die(EXIT_DATA, "%s: %s", path, strerror(errno));
	pcs_writer_free(w);
}

static int
cmp_point(const void *a, const void *b)
{
	const struct plot_point *x = a, *y = b;

	if (x->policy != y->policy)
		return x->policy < y->policy ? -1 : 1;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* The groups of a policy add up tick by tick: sort, then merge. */
static void
merge_points(struct sink *k)
{
	size_t out = 0;

	if (k->npt > 1)
		qsort(k->pt, k->npt, sizeof *k->pt, cmp_point);
	for (size_t i = 0; i < k->npt; i++) {
		struct plot_point *p = &k->pt[i];
		if (out > 0 && k->pt[out - 1].policy == p->policy && k->pt[out - 1].ts == p->ts) {
			k->pt[out - 1].demand += p->demand;
			k->pt[out - 1].capacity += p->capacity;
			k->pt[out - 1].served += p->served;
		} else
			k->pt[out++] = *p;
	}
	k->npt = out;
}

/* gnuplot draws from a data file: one block per policy. */
static void
draw_plot(const struct options *o, struct sink *k)
{
	char data[] = "/tmp/pcs-replay-plot.XXXXXX";
	int fd = mkstemp(data);
	FILE *fp, *gp;
	double ymax = 0;
	int status;

	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL)
		cli_die(EXIT_DATA, "--plot: a temporary file: %s", strerror(errno));
	merge_points(k);
	for (size_t pi = 0; pi < o->npol; pi++) {
		fprintf(fp, "# %s\n", pcs_policy_name(o->pol[pi]));
		for (size_t i = 0; i < k->npt; i++) {
			const struct plot_point *p = &k->pt[i];
			if (p->policy != o->pol[pi] || p->ts < o->plot_from || p->ts >= o->plot_to)
				continue;
			fprintf(fp, "%lld %.6g %.6g %.6g\n", (long long)p->ts, p->demand, p->capacity,
			        p->demand - p->served > 1e-9 ? p->demand : NAN);
			ymax = fmax(ymax, fmax(p->demand, p->capacity));
		}
		fprintf(fp, "\n\n");
	}
	if (fclose(fp) != 0)
		cli_die(EXIT_DATA, "--plot: %s: %s", data, strerror(errno));
	/* gnuplot's own output (and a PNG it could not put in a file) stays
	 * off our standard output */
	if ((gp = popen("gnuplot >/dev/null", "w")) == NULL)
		cli_die(EXIT_DATA, "--plot: cannot run gnuplot: %s", strerror(errno));
	fprintf(gp, "set terminal pngcairo size 1400,%zu font ',10'\n", 260 * o->npol + 60);
	fputs("set output '", gp);
	for (const char *c = o->plot; *c; c++)   /* '' is a quote in a gnuplot string */
		fputs(*c == '\'' ? "''" : (char[]){ *c, 0 }, gp);
	fputs("'\n", gp);
	fprintf(gp, "set xdata time\nset timefmt '%%s'\nset format x \"%%m-%%d\\n%%H:%%M\"\n");
	fprintf(gp, "set ylabel 'requests/s'\nset key top left\nset grid\nset autoscale xfix\n");
	/* one scale for every policy, so that the panels compare at a glance */
	fprintf(gp, "set yrange [0:%.6g]\n", ymax > 0 ? ymax * 1.05 : 1);
	fprintf(gp, "set multiplot layout %zu,1\n", o->npol);
	for (size_t pi = 0; pi < o->npol; pi++)
		fprintf(gp, "set title '%s'\nplot '%s' index %zu using 1:3 with steps lc 'blue' "
		        "title 'capacity', '' index %zu using 1:2 with lines lc 'gray30' title 'demand', "
		        "'' index %zu using 1:4 with points pt 7 ps 0.4 lc 'red' title 'drops'\n",
		        pcs_policy_name(o->pol[pi]), data, pi, pi, pi);
	fprintf(gp, "unset multiplot\n");
	status = pclose(gp);
	unlink(data);
	if (status != 0)
		cli_die(EXIT_DATA, "--plot: gnuplot failed (status %d)", status);
}

static void
write_summary(const struct options *o, const struct pcs_sim_summary *s, size_t n)
{
	pcs_writer *w;

	if (o->pretty) {
		printf("%-17s %12s %10s %8s %8s %10s %9s %10s %8s %8s %7s %7s %7s %6s\n", "policy",
		       "offered", "dropped", "drop%", "SLO min", "inst-h", "warm-h", "cost",
		       "theta_U", "theta_O", "tau_U", "tau_O", "upsilon", "lead s");
		for (size_t i = 0; i < n; i++) {
			printf("%-17s %12.0f %10.0f %8.4f %8.0f %10.1f %9.1f %10.2f %8.2f %8.2f %7.2f "
			       "%7.2f %7.2f", pcs_policy_name(s[i].policy), s[i].offered, s[i].dropped,
			       s[i].dropped_pct, s[i].slo_minutes, s[i].instance_hours, s[i].warm_hours,
			       s[i].cost, s[i].theta_u, s[i].theta_o, s[i].tau_u, s[i].tau_o,
			       s[i].instability);
			if (isnan(s[i].lead_time_s))
				printf(" %6s\n", "-");
			else
				printf(" %6.0f\n", s[i].lead_time_s);
		}
		printf("elasticity: SPEC RG metrics (Herbst et al.), percent, normalized by demand, "
		       "in instances of the first primary; lead: median over %zu surge%s\n",
		       n ? s[0].surges : 0, n && s[0].surges == 1 ? "" : "s");
		return;
	}
	w = pcs_writer_new(stdout, o->c.output_format, o->c.header, o->c.epoch, summary_cols,
	                   sizeof summary_cols / sizeof *summary_cols);
	if (w == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < n; i++) {
		pcs_writer_str(w, pcs_policy_name(s[i].policy));
		pcs_writer_int(w, (long long)s[i].ticks);
		pcs_writer_num(w, s[i].offered);
		pcs_writer_num(w, s[i].dropped);
		pcs_writer_num(w, s[i].dropped_pct);
		pcs_writer_num(w, s[i].slo_minutes);
		pcs_writer_num(w, s[i].instance_hours);
		pcs_writer_num(w, s[i].warm_hours);
		pcs_writer_num(w, s[i].cost);
		pcs_writer_num(w, s[i].theta_u);
		pcs_writer_num(w, s[i].theta_o);
		pcs_writer_num(w, s[i].tau_u);
		pcs_writer_num(w, s[i].tau_o);
		pcs_writer_num(w, s[i].instability);
		pcs_writer_int(w, s[i].breaker_trips);
		pcs_writer_num(w, s[i].churn);
		pcs_writer_int(w, (long long)s[i].surges);
		pcs_writer_int(w, (long long)s[i].surges_led);
		pcs_writer_num(w, s[i].lead_time_s);
		pcs_writer_num(w, s[i].latency_ms);
		pcs_writer_int(w, (long long)s[i].refits);
		pcs_writer_int(w, (long long)s[i].forecast_errors);
		if (pcs_writer_end_row(w) != 0)
			cli_write_failed();
	}
	if (pcs_writer_finish(w) != 0)
		cli_write_failed();
	pcs_writer_free(w);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct history h;
	struct sink k;
	struct pcs_sim_output out;
	struct pcs_sim_summary sum[PCS_NPOLICIES];
	pcs_topology *t;
	pcs_sim *sim;
	size_t *hz = NULL;
	pcs_error err;

	cli_init("pcs-replay", usage_line, help_text, argv);
	memset(&o, 0, sizeof o);
	parse_options(&o, argc, argv);
	t = o.topology ? cli_load_topology(&o.c, o.topology) : NULL;
	load_history(&o, argc, argv, &h);
	if (t == NULL)
		t = auto_topology(&o, &h);
	for (size_t i = 0; i < o.nfail; i++) {
		size_t at = 0;
		while (at < pcs_topology_count(t) && strcmp(pcs_topology_get(t, at)->pop, o.fail[i].pop) != 0)
			at++;
		if (at == pcs_topology_count(t))
			cli_die(EXIT_DATA, "--fail: no POP '%s' in the topology", o.fail[i].pop);
	}
	o.p.nhorizons = cli_horizons(&o.horizons, h.s[0].step, &hz);
	o.p.horizons = hz;
	o.p.levels = o.levels;
	o.p.nlevels = o.nlevels;
	if ((sim = pcs_sim_new(t, &o.p, o.pol, o.npol, &err)) == NULL)
		cli_die(EXIT_DATA, "%s", err.msg);

	memset(&k, 0, sizeof k);
	k.o = &o;
	if (o.timeline)
		k.timeline = open_output(&o, o.timeline, &k.timeline_fp, timeline_cols,
		                         sizeof timeline_cols / sizeof *timeline_cols);
	if (o.actions)
		k.actions = open_output(&o, o.actions, &k.actions_fp, cli_plan_cols, cli_plan_ncols);
	out = (struct pcs_sim_output){ &k, o.timeline || o.plot ? on_tick : NULL,
	                               o.actions ? on_action : NULL };
	for (size_t g = 0; g < h.n; g++) {
		if (pcs_sim_group(sim, h.group[g], &h.s[g], &out, &err) != 0) {
			if (k.failed)
				cli_die(EXIT_DATA, "%s: %s", k.failed, strerror(errno));
			if (err.line > 0 && o.topology) {
				char msg[512];
				cli_format_error(msg, sizeof msg,
				                 strcmp(o.topology, "-") == 0 ? "<stdin>" : o.topology, &err);
				cli_die(EXIT_DATA, "%s", msg);
			}
			cli_die(EXIT_DATA, "%s", err.msg);
		}
	}
	close_output(k.timeline, k.timeline_fp, o.timeline);
	close_output(k.actions, k.actions_fp, o.actions);
	pcs_sim_summaries(sim, sum);
	write_summary(&o, sum, o.npol);
	if (o.plot)
		draw_plot(&o, &k);
	cli_bad_summary(&o.c);

	for (size_t g = 0; g < h.n; g++) {
		free(h.group[g]);
		pcs_series_free(&h.s[g]);
	}
	free(h.group);
	free(h.s);
	free(k.pt);
	free(hz);
	for (size_t i = 0; i < o.nfail; i++)
		free((char *)o.fail[i].pop);
	free(o.fail);
	free(o.levels);
	pcs_horizons_free(&o.horizons);
	pcs_sim_free(sim);
	pcs_topology_free(t);
	cli_exit(0);
}
