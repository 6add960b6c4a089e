/* modelfile.c — model files to and from JSON (see pcs_modelfile.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_modelfile.h"
#include "pcs_state.h"
#include "pcs_time.h"

void
pcs_model_file_init(struct pcs_model_file *mf)
{
	memset(mf, 0, sizeof *mf);
}

static void
entry_free(struct pcs_model_entry *e)
{
	free(e->group);
	free(e->region);
	pcs_fitted_free(&e->fit);
}

void
pcs_model_file_free(struct pcs_model_file *mf)
{
	for (size_t i = 0; i < mf->n; i++)
		entry_free(&mf->e[i]);
	free(mf->e);
	free(mf->name);
	free(mf->created);
	free(mf->criterion);
	free(mf->horizons);
	free(mf->levels);
	memset(mf, 0, sizeof *mf);
}

int
pcs_model_file_add(struct pcs_model_file *mf, struct pcs_model_entry *e)
{
	struct pcs_model_entry *ne = pcs_grow(mf->e, mf->n, &mf->cap, sizeof *ne, 16);

	if (ne == NULL)
		return PCS_ENOMEM;
	mf->e = ne;
	mf->e[mf->n++] = *e;
	memset(e, 0, sizeof *e);
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct pcs_model_entry *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->region, y->region);
}

int
pcs_model_file_sort(struct pcs_model_file *mf, pcs_error *err)
{
	if (mf->n > 1)
		qsort(mf->e, mf->n, sizeof *mf->e, cmp_entry);
	for (size_t i = 1; i < mf->n; i++)
		if (cmp_entry(&mf->e[i - 1], &mf->e[i]) == 0)
			return pcs_error_set(err, PCS_EDATA, 0, NULL, "key %s %s appears twice",
			                     mf->e[i].group, mf->e[i].region);
	return 0;
}

const struct pcs_model_entry *
pcs_model_file_find(const struct pcs_model_file *mf, const char *group, const char *region)
{
	struct pcs_model_entry key = { .group = (char *)group, .region = (char *)region };

	if (mf->n == 0)
		return NULL;
	return bsearch(&key, mf->e, mf->n, sizeof *mf->e, cmp_entry);
}

/* ---- writing ---- */

static json_t *
num(double v)
{
	/* JSON has no NaN: a score without data is null */
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
time_str(int64_t t)
{
	char buf[32];

	pcs_time_format(t, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
size_array(const size_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *
real_array(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, num(v[i]));
	return a;
}

static json_t *
entry_json(const struct pcs_model_entry *e)
{
	const struct pcs_fitted *f = &e->fit;
	json_t *errors = json_array(), *params = json_null();

	for (size_t i = 0; i < f->ncal; i++)
		json_array_append_new(errors, real_array(f->sketch + i * PCS_SKETCH_NLEVELS,
		                                         PCS_SKETCH_NLEVELS));
	if (f->spec.kind == PCS_MODEL_ETS)
		params = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "alpha", f->params.alpha,
		                   "beta", f->params.beta, "phi", f->params.phi,
		                   "gamma1", f->params.gamma1, "gamma2", f->params.gamma2,
		                   "rho", f->params.rho);
	return json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:I},"
	                 "s:{s:s,s:I,s:I,s:I,s:I,s:o,s:o*},s:{s:o,s:o},s:{s:o,s:o,s:I},"
	                 "s:{s:o,s:o,s:o,s:o,s:o,s:o,s:I}}",
	                 "group", e->group, "region", e->region,
	                 "config",
	                 "model", f->config.kind == PCS_MODEL_ETS ? "ets" : "snaive",
	                 "seasons", pcs_seasons_name(f->config.seasons),
	                 "trend", pcs_trend_name(f->config.trend),
	                 "transform", pcs_transform_name(f->config.transform),
	                 "quantiles", pcs_qmethod_name(f->config.qmethod),
	                 "window", (json_int_t)f->config.window,
	                 "fit",
	                 "kind", pcs_model_name(f->spec.kind),
	                 "step", (json_int_t)f->step,
	                 "period1", (json_int_t)f->spec.period1,
	                 "period2", (json_int_t)f->spec.period2,
	                 "window", (json_int_t)f->window,
	                 "params", params,
	                 /* only Box-Cox has a parameter: the key is left out otherwise */
	                 "lambda", f->spec.transform == PCS_TRANSFORM_BOXCOX ? json_real(f->spec.lambda) :
	                           NULL,
	                 "calibration", "horizons", size_array(f->cal_h, f->ncal), "errors", errors,
	                 "history", "first", time_str(e->first), "last", time_str(e->last),
	                 "samples", (json_int_t)e->samples,
	                 "backtest", "mase", num(e->scores.mase), "smape", num(e->scores.smape),
	                 "pinball", num(e->scores.pinball), "coverage", num(e->scores.coverage),
	                 "msis", num(e->scores.msis), "scale", num(e->scores.scale),
	                 "n", (json_int_t)e->scores.n);
}

json_t *
pcs_model_file_json(const struct pcs_model_file *mf)
{
	json_t *keys = json_array();

	for (size_t i = 0; i < mf->n; i++)
		json_array_append_new(keys, entry_json(&mf->e[i]));
	return json_pack("{s:s,s:i,s:s?,s:s?,s:s?,s:b,s:{s:I,s:I,s:o,s:o},s:o,s:o}",
	                 "format", PCS_MODEL_FORMAT, "version", PCS_MODEL_VERSION,
	                 "name", mf->name, "created", mf->created, "criterion", mf->criterion,
	                 "global", mf->global,
	                 "backtest", "origins", (json_int_t)mf->origins, "every", (json_int_t)mf->every,
	                 "horizons", size_array(mf->horizons, mf->nh),
	                 "levels", real_array(mf->levels, mf->nlevels),
	                 "sketch_levels", real_array(pcs_sketch_levels, PCS_SKETCH_NLEVELS),
	                 "keys", keys);
}

/* ---- reading ---- */

struct reader {
	pcs_error *err;
	size_t entry;            /* 1-based, 0 outside the keys */
};

static int
bad(struct reader *r, const char *field, const char *what)
{
	if (r->entry)
		return pcs_error_set(r->err, PCS_EDATA, 0, NULL, "model file key %zu: %s %s", r->entry,
		                     field, what);
	return pcs_error_set(r->err, PCS_EDATA, 0, NULL, "model file: %s %s", field, what);
}

static int
get_string(struct reader *r, const json_t *o, const char *field, char **out)
{
	const json_t *v = json_object_get(o, field);

	if (!json_is_string(v))
		return bad(r, field, "is missing or not a string");
	if ((*out = strdup(json_string_value(v))) == NULL)
		return pcs_error_set(r->err, PCS_ENOMEM, 0, NULL, "out of memory");
	return 0;
}

static int
get_size(struct reader *r, const json_t *o, const char *field, size_t max, size_t *out)
{
	const json_t *v = json_object_get(o, field);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) > max)
		return bad(r, field, "is missing or not a whole number in range");
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* A finite number (or null, read as NaN, when null_ok). */
static int
get_real(struct reader *r, const json_t *v, const char *field, int null_ok, double *out)
{
	if (null_ok && (v == NULL || json_is_null(v))) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return bad(r, field, "is missing or not a finite number");
	*out = json_number_value(v);
	return 0;
}

static int
get_enum(struct reader *r, const json_t *o, const char *field, int (*parse)(const char *),
         int *out)
{
	const json_t *v = json_object_get(o, field);

	if (!json_is_string(v) || (*out = parse(json_string_value(v))) < 0)
		return bad(r, field, "is missing or not a known name");
	return 0;
}

static int
model_kind_parse(const char *s)
{
	return strcmp(s, "ets") == 0 ? PCS_MODEL_ETS : strcmp(s, "snaive") == 0 ? PCS_MODEL_SNAIVE : -1;
}

static int
fit_kind_parse(const char *s)
{
	static const int kinds[] = { PCS_MODEL_NAIVE, PCS_MODEL_SNAIVE, PCS_MODEL_ETS };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, pcs_model_name(kinds[i])) == 0)
			return kinds[i];
	return -1;
}

static int
get_time(struct reader *r, const json_t *o, const char *field, int64_t *out)
{
	const json_t *v = json_object_get(o, field);
	pcs_error e;

	if (!json_is_string(v) ||
	    pcs_time_parse(json_string_value(v), strlen(json_string_value(v)), out, &e) != 0)
		return bad(r, field, "is missing or not a timestamp");
	return 0;
}

static int
read_params(struct reader *r, const json_t *p, struct pcs_ets_params *out)
{
	const char *names[6] = { "alpha", "beta", "phi", "gamma1", "gamma2", "rho" };
	double *dst[6] = { &out->alpha, &out->beta, &out->phi, &out->gamma1, &out->gamma2, &out->rho };

	if (!json_is_object(p))
		return bad(r, "fit.params", "is missing or not an object");
	for (size_t i = 0; i < 6; i++) {
		if (get_real(r, json_object_get(p, names[i]), names[i], 0, dst[i]) != 0)
			return r->err->code;
		/* the admissible region of the smoothing parameters */
		if (*dst[i] < 0 || *dst[i] > 1)
			return bad(r, names[i], "is outside [0, 1]");
	}
	return 0;
}

static int
read_calibration(struct reader *r, const json_t *c, struct pcs_fitted *f)
{
	const json_t *h = json_object_get(c, "horizons"), *e = json_object_get(c, "errors");
	size_t n, K = PCS_SKETCH_NLEVELS;

	if (!json_is_array(h) || !json_is_array(e) || json_array_size(h) != json_array_size(e))
		return bad(r, "calibration", "needs arrays horizons and errors of one length");
	n = json_array_size(h);
	f->cal_h = malloc((n + 1) * sizeof *f->cal_h);
	f->sketch = malloc((n * K + 1) * sizeof *f->sketch);
	if (f->cal_h == NULL || f->sketch == NULL)
		return pcs_error_set(r->err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *hv = json_array_get(h, i), *row = json_array_get(e, i);
		if (!json_is_integer(hv) || json_integer_value(hv) < 1 ||
		    (i > 0 && (size_t)json_integer_value(hv) <= f->cal_h[i - 1]))
			return bad(r, "calibration.horizons", "are not ascending whole steps");
		f->cal_h[i] = (size_t)json_integer_value(hv);
		if (!json_is_array(row) || json_array_size(row) != K)
			return bad(r, "calibration.errors", "rows need one value per sketch level");
		for (size_t k = 0; k < K; k++) {
			if (get_real(r, json_array_get(row, k), "calibration.errors", 0,
			             &f->sketch[i * K + k]) != 0)
				return r->err->code;
			if (k > 0 && f->sketch[i * K + k] < f->sketch[i * K + k - 1])
				return bad(r, "calibration.errors", "rows are not ascending");
		}
		f->ncal = i + 1;
	}
	return 0;
}

static int
read_scores(struct reader *r, const json_t *b, struct pcs_scores *s)
{
	if (!json_is_object(b))
		return bad(r, "backtest", "is missing or not an object");
	if (get_real(r, json_object_get(b, "mase"), "backtest.mase", 1, &s->mase) ||
	    get_real(r, json_object_get(b, "smape"), "backtest.smape", 1, &s->smape) ||
	    get_real(r, json_object_get(b, "pinball"), "backtest.pinball", 1, &s->pinball) ||
	    get_real(r, json_object_get(b, "coverage"), "backtest.coverage", 1, &s->coverage) ||
	    get_real(r, json_object_get(b, "msis"), "backtest.msis", 1, &s->msis) ||
	    get_real(r, json_object_get(b, "scale"), "backtest.scale", 0, &s->scale) ||
	    get_size(r, b, "n", SIZE_MAX / 2, &s->n))
		return r->err->code;
	return 0;
}

static int
read_entry(struct reader *r, const json_t *o, struct pcs_model_entry *e)
{
	const json_t *cfg = json_object_get(o, "config"), *fit = json_object_get(o, "fit");
	const json_t *hist = json_object_get(o, "history"), *cal = json_object_get(o, "calibration");
	struct pcs_fitted *f = &e->fit;
	size_t p1, p2, step, window;
	int kind;

	if (!json_is_object(o) || !json_is_object(cfg) || !json_is_object(fit) ||
	    !json_is_object(hist) || !json_is_object(cal))
		return bad(r, "entry", "needs objects config, fit, calibration and history");
	if (get_string(r, o, "group", &e->group) || get_string(r, o, "region", &e->region) ||
	    get_enum(r, cfg, "model", model_kind_parse, &f->config.kind) ||
	    get_enum(r, cfg, "seasons", pcs_seasons_parse, &f->config.seasons) ||
	    get_enum(r, cfg, "trend", pcs_trend_parse, &f->config.trend) ||
	    get_enum(r, cfg, "transform", pcs_transform_parse, &f->config.transform) ||
	    get_enum(r, cfg, "quantiles", pcs_qmethod_parse, &f->config.qmethod) ||
	    get_size(r, cfg, "window", SIZE_MAX / 2, &f->config.window) ||
	    get_enum(r, fit, "kind", fit_kind_parse, &kind) ||
	    get_size(r, fit, "step", (size_t)PCS_TIME_MAX, &step) ||
	    get_size(r, fit, "period1", PCS_MAX_PERIOD, &p1) ||
	    get_size(r, fit, "period2", PCS_MAX_PERIOD, &p2) ||
	    get_size(r, fit, "window", SIZE_MAX / 2, &window) ||
	    get_time(r, hist, "first", &e->first) || get_time(r, hist, "last", &e->last) ||
	    get_size(r, hist, "samples", SIZE_MAX / 2, &e->samples))
		return r->err->code;
	if (step == 0)
		return bad(r, "fit.step", "is 0");
	if (window == 0)
		return bad(r, "fit.window", "is 0");
	f->step = (int64_t)step;
	f->window = window;
	f->spec.kind = kind;
	f->spec.period1 = (int)p1;
	f->spec.period2 = (int)p2;
	f->spec.trend = f->config.trend;
	f->spec.transform = f->config.transform;
	f->spec.lambda = 1;
	if (f->spec.transform == PCS_TRANSFORM_BOXCOX) {
		if (get_real(r, json_object_get(fit, "lambda"), "fit.lambda", 0, &f->spec.lambda) != 0)
			return r->err->code;
		if (!(f->spec.lambda >= 0 && f->spec.lambda <= 2))
			return bad(r, "fit.lambda", "is outside [0, 2]");
	}
	if ((kind == PCS_MODEL_ETS) != (f->config.kind == PCS_MODEL_ETS))
		return bad(r, "fit.kind", "does not match config.model");
	if (kind == PCS_MODEL_ETS && read_params(r, json_object_get(fit, "params"), &f->params) != 0)
		return r->err->code;
	if (read_calibration(r, cal, f) != 0 || read_scores(r, json_object_get(o, "backtest"), &e->scores))
		return r->err->code;
	return 0;
}

static int
read_sizes(struct reader *r, const json_t *a, const char *field, size_t **out, size_t *n)
{
	if (!json_is_array(a))
		return bad(r, field, "is missing or not an array");
	*n = json_array_size(a);
	if ((*out = malloc((*n + 1) * sizeof **out)) == NULL)
		return pcs_error_set(r->err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		const json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return bad(r, field, "holds a value that is not a whole number of steps");
		(*out)[i] = (size_t)json_integer_value(v);
	}
	return 0;
}

static int
read_top(struct reader *r, const json_t *j, struct pcs_model_file *mf)
{
	const json_t *keys = json_object_get(j, "keys"), *bt = json_object_get(j, "backtest");
	const json_t *sk = json_object_get(j, "sketch_levels"), *lv;

	if (get_string(r, j, "name", &mf->name) || get_string(r, j, "created", &mf->created) ||
	    get_string(r, j, "criterion", &mf->criterion))
		return r->err->code;
	mf->global = json_is_true(json_object_get(j, "global"));
	/* the sketch levels are fixed by the version; a file that says
	 * otherwise was not written by this version */
	if (!json_is_array(sk) || json_array_size(sk) != PCS_SKETCH_NLEVELS)
		return bad(r, "sketch_levels", "do not match this version's");
	for (size_t k = 0; k < PCS_SKETCH_NLEVELS; k++)
		if (!json_is_number(json_array_get(sk, k)) ||
		    json_number_value(json_array_get(sk, k)) != pcs_sketch_levels[k])
			return bad(r, "sketch_levels", "do not match this version's");
	if (!json_is_object(bt) || get_size(r, bt, "origins", SIZE_MAX / 2, &mf->origins) ||
	    get_size(r, bt, "every", SIZE_MAX / 2, &mf->every) ||
	    read_sizes(r, json_object_get(bt, "horizons"), "backtest.horizons", &mf->horizons, &mf->nh))
		return bad(r, "backtest", "is missing or incomplete");
	lv = json_object_get(bt, "levels");
	if (!json_is_array(lv))
		return bad(r, "backtest.levels", "is missing or not an array");
	mf->nlevels = json_array_size(lv);
	if ((mf->levels = malloc((mf->nlevels + 1) * sizeof *mf->levels)) == NULL)
		return pcs_error_set(r->err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (size_t k = 0; k < mf->nlevels; k++)
		if (get_real(r, json_array_get(lv, k), "backtest.levels", 0, &mf->levels[k]) != 0)
			return r->err->code;
	if (!json_is_array(keys))
		return bad(r, "keys", "is missing or not an array");
	for (size_t i = 0; i < json_array_size(keys); i++) {
		struct pcs_model_entry e;
		memset(&e, 0, sizeof e);
		r->entry = i + 1;
		if (read_entry(r, json_array_get(keys, i), &e) != 0 || pcs_model_file_add(mf, &e) != 0) {
			entry_free(&e);
			return r->err->code ? r->err->code : pcs_error_set(r->err, PCS_ENOMEM, 0, NULL,
			                                                   "out of memory");
		}
		/* every key of a file shares the file's step */
		if (mf->e[i].fit.step != mf->e[0].fit.step)
			return bad(r, "fit.step", "differs from the first key's");
	}
	r->entry = 0;
	return pcs_model_file_sort(mf, r->err);
}

int
pcs_model_file_read(const char *path, struct pcs_model_file *mf, pcs_error *err)
{
	/* the reader keeps the pointer; callers may pass an error not yet set */
	// cppcheck-suppress ctuuninitvar
	struct reader r = { err, 0 };
	json_t *j = NULL, *v;
	int rc;

	pcs_model_file_init(mf);
	if ((rc = pcs_state_read(path, "model file", &j, err)) != 0)
		return rc;
	if (j == NULL)
		return pcs_error_set(err, PCS_EIO, 0, NULL, "No such file or directory");
	v = json_object_get(j, "format");
	if (!json_is_object(j) || !json_is_string(v) || strcmp(json_string_value(v), PCS_MODEL_FORMAT) != 0)
		rc = pcs_error_set(err, PCS_EDATA, 0, NULL, "not a pcs model file (no \"format\": \"%s\")",
		                   PCS_MODEL_FORMAT);
	else if (!json_is_integer(v = json_object_get(j, "version")))
		rc = pcs_error_set(err, PCS_EDATA, 0, NULL, "model file without a whole version number");
	else if (json_integer_value(v) > PCS_MODEL_VERSION)
		rc = pcs_error_set(err, PCS_EDATA, 0, NULL,
		                   "model file version %lld is from the future: this pcs reads version %d",
		                   (long long)json_integer_value(v), PCS_MODEL_VERSION);
	else if (json_integer_value(v) != PCS_MODEL_VERSION)
		rc = pcs_error_set(err, PCS_EDATA, 0, NULL,
		                   "model file version %lld: this pcs reads version %d; retrain",
		                   (long long)json_integer_value(v), PCS_MODEL_VERSION);
	else
		rc = read_top(&r, j, mf);
	json_decref(j);
	if (rc != 0)
		pcs_model_file_free(mf);
	return rc;
}
