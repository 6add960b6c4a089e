/* pcs-shadow-plan — warm, activate and drain shadow capacity from risk. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage_line[] = "-t topology [--state file] [options] [file ...]";

static const char help_text[] =
	"Read a risk stream and the fleet's topology; write the actions that warm\n"
	"shadow instances on secondary POPs before a surge, activate them, and\n"
	"drain them after it, keeping the lifecycle in a state file.\n"
	"  -t, --topology FILE       the fleet (required)\n"
	"      --state FILE          the lifecycle state, read and written atomically\n"
	"      --wait DUR            wait this long for another run's lock (default 0)\n"
	"      --dry-run             plan, but leave the state file untouched\n"
	CLI_SHADOW_HELP
	"      --now TIME            the planning time (default: the risk's issue time)\n"
	"  -f, --format FMT          plan (default), kubectl or aws-asg\n"
	"      --summary             write the cost account to standard error\n"
	"  -i, --input-format FMT    csv or ndjson (default: detected)\n"
	"  -o, --output-format FMT   csv or ndjson, for -f plan (default csv)\n"
	"      --no-header           omit the CSV header line\n"
	"      --skip-bad            report and skip bad rows instead of stopping\n"
	"      --epoch               write timestamps as Unix seconds\n"
	"      --max-keys N          most topology rows held (default 100000, 0: no limit)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"See pcs-shadow-plan(1).\n";

enum { OPT_STATE = OPT_TOOL, OPT_WAIT, OPT_DRY_RUN, OPT_NOW, OPT_SUMMARY };
enum { FMT_PLAN, FMT_KUBECTL, FMT_AWS };

static const struct option longopts[] = {
	{ "topology", required_argument, NULL, 't' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	CLI_SHADOW_LONGOPTS,
	{ "now", required_argument, NULL, OPT_NOW },
	{ "format", required_argument, NULL, 'f' },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};


struct options {
	struct cli_common c;
	const char *topology, *state;
	struct pcs_shadow_params p;
	double wait;
	int dry_run, format, summary, have_now;
	int64_t now;
};

/* The risk of one primary, gathered from the stream. */
struct obs_buf {
	struct pcs_risk_obs o;
	struct pcs_risk_horizon *h;
	size_t cap;
	int64_t issued;          /* the issue time its rows come from */
};

static void
parse_options(struct options *o, int argc, char **argv)
{
	int opt;
	pcs_error err;

	cli_common_defaults(&o->c);
	pcs_shadow_defaults(&o->p);
	while ((opt = getopt_long(argc, argv, ":t:f:" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(&o->c, opt, optarg) || cli_shadow_option(&o->p, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->topology = optarg; break;
		case OPT_STATE: o->state = optarg; break;
		case OPT_WAIT: o->wait = (double)cli_duration_arg("--wait", optarg, 1); break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_NOW:
			if (pcs_time_parse(optarg, strlen(optarg), &o->now, &err) != 0)
				cli_usage_error("--now: %s", err.msg);
			o->have_now = 1;
			break;
		case 'f':
			if (strcmp(optarg, "plan") == 0)
				o->format = FMT_PLAN;
			else if (strcmp(optarg, "kubectl") == 0)
				o->format = FMT_KUBECTL;
			else if (strcmp(optarg, "aws-asg") == 0)
				o->format = FMT_AWS;
			else
				cli_usage_error("-f: unknown format '%s' (plan, kubectl or aws-asg)", optarg);
			break;
		case OPT_SUMMARY: o->summary = 1; break;
		default: cli_usage_error(NULL);
		}
	}
	if (o->topology == NULL)
		cli_usage_error("-t: the topology is required");
	cli_shadow_check(&o->p);
}

static void
die_at(const char *name, const pcs_error *err)
{
	char msg[512];

	cli_format_error(msg, sizeof msg, name, err);
	cli_die(EXIT_DATA, "%s", msg);
}


/* The primaries' risk: rows for other POPs are read and dropped, so memory
 * follows the topology, not the stream. */
struct risk_in {
	int h[10];               /* risk column handles */
	pcs_strset *primaries;   /* "group\x1fpop" of every primary -> obs index + 1 */
	struct obs_buf *obs;
	size_t nobs, cap;
	int64_t now;
};

static struct obs_buf *
obs_for(struct risk_in *ri, const char *group, const char *pop)
{
	char key[1024];
	size_t at;

	snprintf(key, sizeof key, "%s\x1f%s", group, pop);
	if (!pcs_strset_get(ri->primaries, key, &at))
		return NULL;   /* not a primary: the planner has no use for it */
	if (at > 0)
		return &ri->obs[at - 1];
	if (ri->nobs == ri->cap) {
		size_t nc = ri->cap ? ri->cap * 2 : 64;
		struct obs_buf *no = realloc(ri->obs, nc * sizeof *no);
		if (no == NULL)
			cli_die(EXIT_DATA, "out of memory");
		ri->obs = no;
		ri->cap = nc;
	}
	memset(&ri->obs[ri->nobs], 0, sizeof ri->obs[0]);
	ri->obs[ri->nobs].o.group = strdup(group);
	ri->obs[ri->nobs].o.pop = strdup(pop);
	if (!ri->obs[ri->nobs].o.group || !ri->obs[ri->nobs].o.pop ||
	    pcs_strset_put(ri->primaries, key, ri->nobs + 1) != 0)
		cli_die(EXIT_DATA, "out of memory");
	return &ri->obs[ri->nobs++];
}

static int
take_risk(pcs_reader *r, const int *h, struct risk_in *ri, pcs_error *err)
{
	const char *group, *pop;
	struct pcs_risk_horizon hz;
	double hs, risk;
	int64_t target;
	struct obs_buf *ob;
	int rc;

	if ((rc = pcs_field_text(r, h[0], 1, &group, err)) != 0 ||
	    (rc = pcs_field_text(r, h[1], 1, &pop, err)) != 0 ||
	    (rc = pcs_field_double(r, h[2], 1, 0, 1e12, &hs, err)) != 0 ||
	    (rc = pcs_field_time(r, h[3], 1, &target, err)) != 0 ||
	    (rc = pcs_field_double(r, h[4], 1, 0, INFINITY, &hz.demand_p50, err)) != 0 ||
	    (rc = pcs_field_double(r, h[5], 1, 0, INFINITY, &hz.demand_p99, err)) != 0 ||
	    (rc = pcs_field_double(r, h[6], 1, 0, INFINITY, &hz.capacity_rps, err)) != 0 ||
	    (rc = pcs_field_double(r, h[7], 1, 0, 1, &hz.p_exceed, err)) != 0 ||
	    (rc = pcs_field_double(r, h[8], 1, 0, INFINITY, &hz.shortfall_rps, err)) != 0 ||
	    (rc = pcs_field_double(r, h[9], 1, 0, 1, &risk, err)) != 0)
		return rc;
	hz.horizon_s = (int64_t)hs;
	if (target - hz.horizon_s > ri->now)
		ri->now = target - hz.horizon_s;
	if ((ob = obs_for(ri, group, pop)) == NULL)
		return 0;
	/* only the latest issue of a primary counts: an older forecast's rows
	 * are dropped, a newer one's replace them, and a horizon given twice in
	 * one issue keeps its last row (so memory follows the topology) */
	if (ob->o.nh > 0 && target - hz.horizon_s < ob->issued)
		return 0;
	if (ob->o.nh == 0 || target - hz.horizon_s > ob->issued) {
		ob->o.nh = 0;
		ob->o.risk = 0;
		ob->issued = target - hz.horizon_s;
	}
	for (size_t i = 0; i < ob->o.nh; i++)
		if (ob->h[i].horizon_s == hz.horizon_s) {
			ob->h[i] = hz;
			ob->o.risk = 0;
			for (size_t k = 0; k < ob->o.nh; k++)
				ob->o.risk = fmax(ob->o.risk, ob->h[k].p_exceed);
			ob->o.risk = fmax(ob->o.risk, risk);
			return 0;
		}
	if (ob->o.nh == ob->cap) {
		size_t nc = ob->cap ? ob->cap * 2 : 4;
		struct pcs_risk_horizon *nh = realloc(ob->h, nc * sizeof *nh);
		if (nh == NULL)
			cli_die(EXIT_DATA, "out of memory");
		ob->h = nh;
		ob->cap = nc;
	}
	ob->h[ob->o.nh++] = hz;
	ob->o.h = ob->h;
	if (risk > ob->o.risk)
		ob->o.risk = risk;
	return 0;
}

static const char *const risk_cols[] = {
	"group", "pop", "horizon_s", "target", "demand_p50", "demand_p99", "capacity_rps",
	"p_exceed", "expected_shortfall_rps", "risk"
};

static size_t
risk_columns(pcs_reader *r, void *ctx, int *req)
{
	struct risk_in *ri = ctx;

	for (int i = 0; i < 10; i++)
		req[i] = ri->h[i] = pcs_reader_column(r, risk_cols[i]);
	return 10;
}

static int
risk_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct risk_in *ri = ctx;

	(void)name;
	return take_risk(r, ri->h, ri, err);
}

static int
read_risk(const char *path, struct options *o, struct risk_in *ri)
{
	struct cli_stream spec = { o->c.input_format, 0, risk_columns, risk_record };

	return cli_read_stream(&o->c, path, &spec, ri);
}

static void
write_plan(const struct options *o, const struct pcs_action *a, size_t n)
{
	pcs_writer *w = pcs_writer_new(stdout, o->c.output_format, o->c.header, o->c.epoch,
	                               cli_plan_cols, cli_plan_ncols);

	if (w == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (cli_write_action(w, &a[i]) != 0)
			cli_write_failed();
	if (pcs_writer_finish(w) != 0)
		cli_write_failed();
	pcs_writer_free(w);
}

/* Write s as one shell word: as it is when it is plain, else in single
 * quotes (topology names end up in commands that a shell runs). */
static void
shell_word(const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
	    == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

/* kubectl and aws-asg: the desired size of every secondary that holds or
 * touched a shadow this run, once each, in the order first met.  Desired
 * sizes, not changes, so a command that failed is made good by the next
 * run (reconciliation). */
static void
write_commands(const struct options *o, const pcs_topology *t, const pcs_planner *pl,
               const struct pcs_action *a, size_t n)
{
	size_t nt = pcs_topology_count(t);
	long *warm_of = calloc(nt + 1, sizeof *warm_of), *active_of = calloc(nt + 1, sizeof *active_of);
	char *done = calloc(nt + 1, 1);

	if (!warm_of || !active_of || !done)
		cli_die(EXIT_DATA, "out of memory");
	pcs_planner_usage(pl, warm_of, active_of);
	for (size_t i = 0; i < n; i++) {
		const struct pcs_topo *s = a[i].secondary;
		size_t at = (size_t)(s - pcs_topology_get(t, 0));
		long warm = warm_of[at], active = active_of[at];

		if (s->primary || done[at])
			continue;
		done[at] = 1;
		if (o->format == FMT_KUBECTL) {
			/* warm shadows are running pods that get no traffic yet
			 * (pcs-route-weights gives them weight when active) */
			long replicas = s->instances + warm + active;
			char dep[512];
			printf("# %s %s/%s on %s for %s: %s\n", pcs_shadow_action_name(a[i].action),
			       s->group, s->service, s->pop, a[i].primary->pop, a[i].reason);
			fputs("kubectl --context=", stdout);
			shell_word(s->k8s_context);
			fputs(" -n ", stdout);
			shell_word(s->k8s_namespace);
			snprintf(dep, sizeof dep, "deployment/%s", s->k8s_deployment);
			fputs(" scale ", stdout);
			shell_word(dep);
			printf(" --replicas=%ld\n", replicas);
			if (s->k8s_hpa[0]) {
				snprintf(dep, sizeof dep, "hpa/%s", s->k8s_hpa);
				fputs("kubectl --context=", stdout);
				shell_word(s->k8s_context);
				fputs(" -n ", stdout);
				shell_word(s->k8s_namespace);
				fputs(" patch ", stdout);
				shell_word(dep);
				printf(" --type=merge -p '{\"spec\":{\"minReplicas\":%ld}}'\n", replicas);
			}
		} else {
			/* warm shadows wait in the warm pool (stopped); active ones
			 * are in service, in the desired capacity */
			json_t *wp = json_pack("{s:s,s:{s:s,s:I,s:s}}", "command", "put-warm-pool", "input",
			                       "AutoScalingGroupName", s->asg, "MinSize", (json_int_t)warm,
			                       "PoolState", "Stopped");
			json_t *dc = json_pack("{s:s,s:{s:s,s:I,s:b}}", "command", "set-desired-capacity",
			                       "input", "AutoScalingGroupName", s->asg, "DesiredCapacity",
			                       (json_int_t)(s->instances + active), "HonorCooldown", 0);
			if (wp == NULL || dc == NULL || json_dumpf(wp, stdout, JSON_COMPACT) != 0 ||
			    putchar('\n') == EOF || json_dumpf(dc, stdout, JSON_COMPACT) != 0 ||
			    putchar('\n') == EOF)
				cli_write_failed();
			json_decref(wp);
			json_decref(dc);
		}
		if (ferror(stdout))
			cli_write_failed();
	}
	free(warm_of);
	free(active_of);
	free(done);
}

int
main(int argc, char **argv)
{
	struct options o;
	pcs_topology *t;
	pcs_planner *pl;
	struct risk_in ri;
	struct pcs_risk_obs *obs;
	const struct pcs_action *acts;
	size_t nacts;
	json_t *state = NULL;
	pcs_error err;
	int lock = -1, status = 0;

	cli_init("pcs-shadow-plan", usage_line, help_text, argv);
	memset(&o, 0, sizeof o);
	parse_options(&o, argc, argv);
	t = cli_load_topology(&o.c, o.topology);
	memset(&ri, 0, sizeof ri);
	if ((ri.primaries = pcs_strset_new()) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < pcs_topology_count(t); i++) {
		const struct pcs_topo *r = pcs_topology_get(t, i);
		char key[1024];
		snprintf(key, sizeof key, "%s\x1f%s", r->group, r->pop);
		if (r->primary && pcs_strset_put(ri.primaries, key, 0) < 0)
			cli_die(EXIT_DATA, "out of memory");
	}
	if (optind == argc && read_risk("-", &o, &ri) != 0)
		status = EXIT_DATA;
	for (int i = optind; i < argc; i++)
		if (read_risk(argv[i], &o, &ri) != 0)
			status = EXIT_DATA;
	/* an input that could not be read leaves no plan and the state as it
	 * was: a plan from part of the risk would be acted on, then forgotten */
	if (status != 0)
		cli_die(EXIT_DATA, "no plan: the risk input could not be read");
	if (o.have_now)
		ri.now = o.now;

	if ((pl = pcs_planner_new(t, &o.p)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	if (o.state) {
		if ((lock = pcs_state_lock(o.state, o.wait, &err)) < 0)
			cli_die(EXIT_DATA, "%s", err.msg);
		if (pcs_state_read(o.state, "state file", &state, &err) != 0)
			die_at(o.state, &err);
		if (pcs_planner_load(pl, state, &err) != 0)
			cli_die(EXIT_DATA, "%s: %s", o.state, err.msg);
		json_decref(state);
	}
	/* with no risk rows there is no time to plan at: every live shadow
	 * holds, and the state is not advanced to the clock's time */
	if (ri.now == 0)
		ri.now = pcs_planner_last_run(pl);
	if ((obs = malloc((ri.nobs + 1) * sizeof *obs)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < ri.nobs; i++)
		obs[i] = ri.obs[i].o;
	if (pcs_planner_step(pl, ri.now, obs, ri.nobs, &acts, &nacts, &err) != 0)
		cli_die(EXIT_DATA, "%s", err.msg);
	if (o.format == FMT_PLAN)
		write_plan(&o, acts, nacts);
	else
		write_commands(&o, t, pl, acts, nacts);
	/* the state is saved only once the plan is out: a plan that could not
	 * be written is planned again next run */
	if (fflush(stdout) != 0)
		cli_write_failed();
	if (o.state && !o.dry_run && ri.now > 0) {
		json_t *saved = pcs_planner_save(pl);
		if (saved == NULL || pcs_state_write(o.state, saved, &err) != 0)
			cli_die(EXIT_DATA, "%s", saved ? err.msg : "out of memory");
		json_decref(saved);
	}
	pcs_state_unlock(lock);
	if (o.summary) {
		struct pcs_shadow_cost c;
		pcs_planner_cost(pl, &c);
		cli_warn("shadows: %zu warm, %zu active, %zu draining; cost this run: %.4f warm + "
		         "%.4f active; since the state began: %.4f warm + %.4f active",
		         c.warm, c.active, c.draining, c.warm_run, c.active_run, c.warm_total,
		         c.active_total);
	}
	cli_bad_summary(&o.c);
	for (size_t i = 0; i < ri.nobs; i++) {
		free((char *)ri.obs[i].o.group);
		free((char *)ri.obs[i].o.pop);
		free(ri.obs[i].h);
	}
	free(ri.obs);
	free(obs);
	pcs_strset_free(ri.primaries);
	pcs_planner_free(pl);
	pcs_topology_free(t);
	cli_exit(status);
}
