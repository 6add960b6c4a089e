/* cli_streams.c — streams that more than one tool reads or writes (see
 * pcs-formats(5)): metrics, the topology, plan rows. */
#include <math.h>
#include <string.h>

#include "cli.h"

static const char *const topo_text[] = {
	"pop", "group", "service", "role", "region", "k8s_context", "k8s_namespace",
	"k8s_deployment", "k8s_hpa", "asg"
};
static const char *const topo_num[] = {
	"instance_rps", "instances", "max_instances", "boot_s", "warm_s", "rtt_ms",
	"cost_per_hour", "warm_cost_frac"
};

struct topology_in {
	pcs_topology *t;
	int text[10], num[8];
	size_t rows, max_rows;   /* max_rows 0: no limit */
};

static size_t
topology_columns(pcs_reader *r, void *ctx, int *req)
{
	struct topology_in *in = ctx;
	size_t n = 0;

	/* required: pop, group, service, role and the first five numbers */
	for (int i = 0; i < 10; i++) {
		in->text[i] = pcs_reader_column(r, topo_text[i]);
		if (i < 4 && in->text[i] >= 0)
			req[n++] = in->text[i];
	}
	for (int i = 0; i < 8; i++) {
		in->num[i] = pcs_reader_column(r, topo_num[i]);
		if (i < 5 && in->num[i] >= 0)
			req[n++] = in->num[i];
	}
	return n;
}

static int
topology_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct topology_in *in = ctx;
	struct pcs_topo row;
	const char *s[10] = { 0 };
	double v[8] = { 0, 0, 0, 0, 0, 0, 0, 0.1 };   /* warm_cost_frac defaults to 0.1 */
	int rc;

	(void)name;
	for (int i = 0; i < 10; i++)
		if ((rc = pcs_field_text(r, in->text[i], i < 4, &s[i], err)) > 0)
			return rc;
	for (int i = 0; i < 8; i++)
		if ((rc = pcs_field_double(r, in->num[i], i < 5, 0, i == 7 ? 1 : 1e15, &v[i], err)) > 0)
			return rc;
	if (strcmp(s[3], "primary") != 0 && strcmp(s[3], "secondary") != 0)
		return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), "role",
		                     "want primary or secondary: \"%.64s\"", s[3]);
	for (int i = 1; i <= 2; i++)
		if (v[i] != floor(v[i]))
			return pcs_error_set(err, PCS_EDATA, pcs_reader_line(r), topo_num[i],
			                     "not a whole number: %g", v[i]);
	memset(&row, 0, sizeof row);
	row.pop = (char *)s[0];
	row.group = (char *)s[1];
	row.service = (char *)s[2];
	row.primary = strcmp(s[3], "primary") == 0;
	row.region = (char *)s[4];
	row.k8s_context = (char *)s[5];
	row.k8s_namespace = (char *)s[6];
	row.k8s_deployment = (char *)s[7];
	row.k8s_hpa = (char *)s[8];
	row.asg = (char *)s[9];
	row.instance_rps = v[0];
	row.instances = (long)v[1];
	row.max_instances = (long)v[2];
	row.boot_s = v[3];
	row.warm_s = v[4];
	row.rtt_ms = v[5];
	row.cost_per_hour = v[6];
	row.warm_cost_frac = v[7];
	row.line = pcs_reader_line(r);
	if (in->max_rows && in->rows++ >= in->max_rows)
		return pcs_error_set(err, PCS_ELIMIT, row.line, NULL,
		                     "more than %zu topology rows: raise --max-keys", in->max_rows);
	return pcs_topology_add(in->t, &row, err);
}

/* The topology is configuration: every bad row is fatal. */
pcs_topology *
cli_load_topology(struct cli_common *c, const char *path)
{
	struct cli_stream spec = { PCS_FMT_AUTO, 1, topology_columns, topology_record };
	struct topology_in in = { .t = pcs_topology_new(), .max_rows = c->max_keys };
	pcs_error err;

	if (in.t == NULL)
		cli_die(EXIT_DATA, "out of memory");
	cli_read_stream(c, path, &spec, &in);
	if (pcs_topology_finish(in.t, &err) != 0) {
		char msg[512];
		cli_format_error(msg, sizeof msg, path, &err);
		cli_die(EXIT_DATA, "%s", msg);
	}
	return in.t;
}

/* ---- metrics ---- */

struct columns { int ts, group, region, rps; };

/* The largest request rate read: near DBL_MAX the sums and squares of model
 * fitting overflow, and no service serves 1e303 requests a second. */
#define PCS_MAX_RPS 1e303

/* Parse one metrics row into the store. */
static int
take_row(pcs_reader *r, const struct columns *col, int any_sign, pcs_store *st, pcs_error *err)
{
	const char *group, *region = "*";
	int64_t t;
	double v;
	int rc;

	if ((rc = pcs_field_time(r, col->ts, 1, &t, err)) != 0 ||
	    (rc = pcs_field_text(r, col->group, 1, &group, err)) != 0 ||
	    (rc = pcs_field_double(r, col->rps, 1, any_sign ? -PCS_MAX_RPS : 0, PCS_MAX_RPS, &v,
	                          err)) != 0 ||
	    (rc = pcs_field_text(r, col->region, 0, &region, err)) > 0)
		return rc;
	if ((rc = pcs_store_add(st, group, region, t, v, err)) != 0)
		err->line = pcs_reader_line(r);
	return rc;
}

struct metrics_in {
	struct columns col;
	int any_sign;
	pcs_store *st;
};

static size_t
metrics_columns(pcs_reader *r, void *ctx, int *req)
{
	struct columns *col = &((struct metrics_in *)ctx)->col;

	col->ts = pcs_reader_column(r, "ts");
	col->group = pcs_reader_column(r, "group");
	col->region = pcs_reader_column(r, "region");
	col->rps = pcs_reader_column(r, "rps");
	if (col->ts < 0 || col->group < 0 || col->region < 0 || col->rps < 0)
		cli_die(EXIT_DATA, "out of memory");
	req[0] = col->ts;
	req[1] = col->group;
	req[2] = col->rps;
	return 3;
}

static int
metrics_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct metrics_in *in = ctx;

	(void)name;
	return take_row(r, &in->col, in->any_sign, in->st, err);
}

int
cli_read_metrics(struct cli_common *c, const char *path, pcs_store *st, int any_sign)
{
	struct cli_stream spec = { c->input_format, 0, metrics_columns, metrics_record };
	struct metrics_in in = { .any_sign = any_sign, .st = st };

	return cli_read_stream(c, path, &spec, &in);
}

/* ---- model files ---- */

void
cli_read_model(const char *path, struct pcs_model_file *mf)
{
	pcs_error err = { 0 };
	char msg[512];

	if (pcs_model_file_read(path, mf, &err) != 0) {
		cli_format_error(msg, sizeof msg, path, &err);
		cli_die(EXIT_DATA, "%s", msg);
	}
}

/* ---- forecast streams ---- */

size_t
cli_find_quantiles(pcs_reader *r, double *level, int *col, size_t max)
{
	const char **names;
	size_t n = pcs_reader_names(r, &names), nq = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = names[i];
		double pct;
		char norm[32];
		if (s[0] != 'p' || pcs_parse_double(s + 1, &pct) != 0 || !(pct > 0 && pct < 100) ||
		    strspn(s + 1, "0123456789.") != strlen(s + 1))
			continue;
		pcs_level_name(pct / 100, norm, sizeof norm);
		if (strcmp(norm, s) != 0 || nq == max)
			continue;
		level[nq] = pct / 100;
		col[nq] = pcs_reader_column(r, s);
		nq++;
	}
	/* ascending levels, the columns with them */
	for (size_t i = 1; i < nq; i++)
		for (size_t j = i; j > 0 && level[j] < level[j - 1]; j--) {
			double tl = level[j];
			int tq = col[j];
			level[j] = level[j - 1];
			col[j] = col[j - 1];
			level[j - 1] = tl;
			col[j - 1] = tq;
		}
	return nq;
}

/* ---- plan rows ---- */

const char *const cli_plan_cols[] = {
	"ts", "group", "service", "pop", "action", "from_state", "to_state", "instances",
	"reason", "primary"
};
const size_t cli_plan_ncols = sizeof cli_plan_cols / sizeof *cli_plan_cols;

int
cli_write_action(pcs_writer *w, const struct pcs_action *a)
{
	pcs_writer_time(w, a->ts);
	pcs_writer_str(w, a->primary->group);
	pcs_writer_str(w, a->primary->service);
	pcs_writer_str(w, a->secondary->pop);
	pcs_writer_str(w, pcs_shadow_action_name(a->action));
	pcs_writer_str(w, pcs_shadow_state_name(a->from));
	pcs_writer_str(w, pcs_shadow_state_name(a->to));
	pcs_writer_int(w, a->instances);
	pcs_writer_str(w, a->reason);
	pcs_writer_str(w, a->primary->pop);
	return pcs_writer_end_row(w);
}

/* ---- events ---- */

struct events_in {
	pcs_events *ev;
	int start, end, name, group, lift;
	size_t rows, max_rows;   /* max_rows 0: no limit */
};

static size_t
events_columns(pcs_reader *r, void *ctx, int *req)
{
	struct events_in *in = ctx;

	in->start = pcs_reader_column(r, "start");
	in->end = pcs_reader_column(r, "end");
	in->name = pcs_reader_column(r, "name");
	in->group = pcs_reader_column(r, "group");
	in->lift = pcs_reader_column(r, "lift");
	if (in->start < 0 || in->end < 0 || in->name < 0 || in->group < 0 || in->lift < 0)
		cli_die(EXIT_DATA, "out of memory");
	req[0] = in->start;
	req[1] = in->end;
	req[2] = in->name;
	return 3;
}

static int
events_record(pcs_reader *r, const char *name, void *ctx, pcs_error *err)
{
	struct events_in *in = ctx;
	const char *ev_name, *group = NULL;
	int64_t start, end;
	double lift = NAN;
	int rc;

	(void)name;
	if ((rc = pcs_field_time(r, in->start, 1, &start, err)) != 0 ||
	    (rc = pcs_field_time(r, in->end, 1, &end, err)) != 0 ||
	    (rc = pcs_field_text(r, in->name, 1, &ev_name, err)) != 0 ||
	    (rc = pcs_field_text(r, in->group, 0, &group, err)) > 0 ||
	    (rc = pcs_field_double(r, in->lift, 0, 1e-9, 1e9, &lift, err)) > 0)
		return rc;
	if (in->max_rows && in->rows++ >= in->max_rows)
		return pcs_error_set(err, PCS_ELIMIT, pcs_reader_line(r), NULL,
		                     "more than %zu events: raise --max-keys", in->max_rows);
	if ((rc = pcs_events_add(in->ev, start, end, ev_name, group, lift, err)) != 0)
		err->line = pcs_reader_line(r);
	return rc;
}

/* Events are configuration: every bad row is fatal. */
pcs_events *
cli_load_events(struct cli_common *c, const char *path)
{
	struct cli_stream spec = { PCS_FMT_AUTO, 1, events_columns, events_record };
	struct events_in in = { .ev = pcs_events_new(), .max_rows = c->max_keys };

	if (in.ev == NULL)
		cli_die(EXIT_DATA, "out of memory");
	cli_read_stream(c, path, &spec, &in);
	return in.ev;
}
