/* models.c — one interface over the model files. */
#include <math.h>
#include <stdlib.h>

#include "pcs_models.h"

struct pcs_model {
	struct pcs_model_spec spec;
	struct pcs_snaive *sn;
	struct pcs_ets *ets;
};

const char *
pcs_model_name(int kind)
{
	switch (kind) {
	case PCS_MODEL_NAIVE: return "naive";
	case PCS_MODEL_SNAIVE: return "snaive";
	case PCS_MODEL_ETS: return "ets";
	case PCS_MODEL_ETS_MUL: return "ets-mul";
	}
	return "?";
}

pcs_model *
pcs_model_new_spec(const struct pcs_model_spec *spec)
{
	pcs_model *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->spec = *spec;
	if (spec->kind == PCS_MODEL_NAIVE || spec->kind == PCS_MODEL_SNAIVE)
		m->sn = pcs_snaive_new(spec->kind == PCS_MODEL_SNAIVE ? spec->period1 : 1);
	else
		m->ets = pcs_ets_new(spec->period1, spec->period2, spec->trend);
	if (m->sn == NULL && m->ets == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

pcs_model *
pcs_model_new(int kind, int period1, int period2)
{
	struct pcs_model_spec spec = {
		kind == PCS_MODEL_ETS_MUL ? PCS_MODEL_ETS : kind, period1, period2, PCS_TREND_DAMPED,
		kind == PCS_MODEL_ETS_MUL ? PCS_TRANSFORM_LOG : PCS_TRANSFORM_NONE
	};

	return pcs_model_new_spec(&spec);
}

void
pcs_model_free(pcs_model *m)
{
	if (m == NULL)
		return;
	pcs_snaive_free(m->sn);
	pcs_ets_free(m->ets);
	free(m);
}

int
pcs_model_kind_of(const pcs_model *m)
{
	if (m->spec.kind == PCS_MODEL_ETS && m->spec.transform == PCS_TRANSFORM_LOG)
		return PCS_MODEL_ETS_MUL;
	return m->spec.kind;
}

double
pcs_model_transform(const pcs_model *m, double y)
{
	/* on the log scale a sample that is not positive carries no
	 * information: it is a gap */
	if (m->spec.transform == PCS_TRANSFORM_LOG)
		return y > 0 ? log(y) : NAN;
	return y;
}

double
pcs_model_untransform(const pcs_model *m, double z)
{
	return m->spec.transform == PCS_TRANSFORM_LOG ? exp(z) : z;
}

int
pcs_model_get_params(const pcs_model *m, struct pcs_ets_params *p)
{
	if (m->ets == NULL)
		return -1;
	pcs_ets_get_params(m->ets, p);
	return 0;
}

int
pcs_model_set_params(pcs_model *m, const struct pcs_ets_params *p)
{
	if (m->ets == NULL)
		return -1;
	pcs_ets_set_params(m->ets, p);
	return 0;
}

int
pcs_model_fit(pcs_model *m, const double *z, size_t n)
{
	if (m->ets)
		return pcs_ets_fit(m->ets, z, n);
	pcs_snaive_reset(m->sn);
	return 0;
}

void
pcs_model_reset(pcs_model *m, const double *z, size_t n)
{
	if (m->ets)
		pcs_ets_reset(m->ets, z, n);
	else
		pcs_snaive_reset(m->sn);
}

double
pcs_model_update(pcs_model *m, double z)
{
	return m->ets ? pcs_ets_update(m->ets, z) : pcs_snaive_update(m->sn, z);
}

double
pcs_model_forecast(const pcs_model *m, size_t h)
{
	return m->ets ? pcs_ets_forecast(m->ets, h) : pcs_snaive_forecast(m->sn, h);
}

void
pcs_model_forecast_path(const pcs_model *m, const size_t *h, size_t n, double *out)
{
	if (m->ets) {
		pcs_ets_forecast_path(m->ets, h, n, out);
		return;
	}
	for (size_t j = 0; j < n; j++)
		out[j] = pcs_snaive_forecast(m->sn, h[j]);
}

