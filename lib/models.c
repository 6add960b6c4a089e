/* models.c — one interface over the model files. */
#include <math.h>
#include <stdlib.h>

#include "pcs_models.h"

struct pcs_model {
	struct pcs_model_spec spec;
	/* exactly one is set */
	struct pcs_snaive *sn;
	struct pcs_ets *ets;
	struct pcs_reg *reg;
	struct pcs_mstl *mstl;
	struct pcs_ensemble *ens;
};

const char *
pcs_model_name(int kind)
{
	switch (kind) {
	case PCS_MODEL_NAIVE: return "naive";
	case PCS_MODEL_SNAIVE: return "snaive";
	case PCS_MODEL_ETS: return "ets";
	case PCS_MODEL_ETS_MUL: return "ets-mul";
	case PCS_MODEL_REG: return "reg";
	case PCS_MODEL_MSTL: return "mstl";
	case PCS_MODEL_ENSEMBLE: return "ensemble";
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
	switch (spec->kind) {
	case PCS_MODEL_NAIVE:
	case PCS_MODEL_SNAIVE:
		m->sn = pcs_snaive_new(spec->kind == PCS_MODEL_SNAIVE ? spec->period1 : 1);
		break;
	case PCS_MODEL_REG:
		m->reg = pcs_reg_new(spec->transform, spec->lambda, spec->step, spec->events);
		break;
	case PCS_MODEL_MSTL:
		m->mstl = pcs_mstl_new(spec->period1, spec->period2, spec->trend);
		break;
	default:
		m->ets = pcs_ets_new(spec->period1, spec->period2, spec->trend);
	}
	if (!m->sn && !m->ets && !m->reg && !m->mstl) {
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
		kind == PCS_MODEL_ETS_MUL ? PCS_TRANSFORM_LOG : PCS_TRANSFORM_NONE, 0, NULL, 1
	};

	return pcs_model_new_spec(&spec);
}

pcs_model *
pcs_model_new_ensemble(pcs_model **members, const double *weights, size_t n, int transform)
{
	pcs_model *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->spec.kind = PCS_MODEL_ENSEMBLE;
	m->spec.transform = transform;
	if ((m->ens = pcs_ensemble_new(members, weights, n, transform)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
pcs_model_free(pcs_model *m)
{
	if (m == NULL)
		return;
	pcs_snaive_free(m->sn);
	pcs_ets_free(m->ets);
	pcs_reg_free(m->reg);
	pcs_mstl_free(m->mstl);
	pcs_ensemble_free(m->ens);
	free(m);
}

int
pcs_model_kind_of(const pcs_model *m)
{
	if (m->spec.kind == PCS_MODEL_ETS && m->spec.transform == PCS_TRANSFORM_LOG)
		return PCS_MODEL_ETS_MUL;
	return m->spec.kind;
}

void
pcs_model_set_time(pcs_model *m, int64_t t0)
{
	if (m->reg)
		pcs_reg_set_time(m->reg, t0);
	else if (m->ens)
		pcs_ensemble_set_time(m->ens, t0);
}

double
pcs_model_transform(const pcs_model *m, double y)
{
	return pcs_transform_value(m->spec.transform, m->spec.lambda, y);
}

double
pcs_model_untransform(const pcs_model *m, double z)
{
	return pcs_transform_inverse(m->spec.transform, m->spec.lambda, z);
}

int
pcs_model_get_params(const pcs_model *m, struct pcs_ets_params *p)
{
	if (m->ets)
		pcs_ets_get_params(m->ets, p);
	else if (m->mstl)
		pcs_mstl_get_params(m->mstl, p);
	else
		return -1;
	return 0;
}

int
pcs_model_set_params(pcs_model *m, const struct pcs_ets_params *p)
{
	if (m->ets)
		pcs_ets_set_params(m->ets, p);
	else if (m->mstl)
		pcs_mstl_set_params(m->mstl, p);
	else
		return -1;
	return 0;
}

int
pcs_model_fit(pcs_model *m, const double *z, size_t n)
{
	if (m->ets)
		return pcs_ets_fit(m->ets, z, n);
	if (m->reg)
		return pcs_reg_fit(m->reg, z, n);
	if (m->mstl)
		return pcs_mstl_fit(m->mstl, z, n);
	if (m->ens)
		return pcs_ensemble_fit(m->ens, z, n);
	pcs_snaive_reset(m->sn);
	return 0;
}

void
pcs_model_reset(pcs_model *m, const double *z, size_t n)
{
	if (m->ets)
		pcs_ets_reset(m->ets, z, n);
	else if (m->reg)
		pcs_reg_reset(m->reg, z, n);
	else if (m->mstl)
		pcs_mstl_reset(m->mstl, z, n);
	else if (m->ens)
		pcs_ensemble_reset(m->ens, z, n);
	else
		pcs_snaive_reset(m->sn);
}

double
pcs_model_update(pcs_model *m, double z)
{
	if (m->ets)
		return pcs_ets_update(m->ets, z);
	if (m->reg)
		return pcs_reg_update(m->reg, z);
	if (m->mstl)
		return pcs_mstl_update(m->mstl, z);
	if (m->ens)
		return pcs_ensemble_update(m->ens, z);
	return pcs_snaive_update(m->sn, z);
}

double
pcs_model_forecast(const pcs_model *m, size_t h)
{
	if (m->ets)
		return pcs_ets_forecast(m->ets, h);
	if (m->reg)
		return pcs_reg_forecast(m->reg, h);
	if (m->mstl)
		return pcs_mstl_forecast(m->mstl, h);
	if (m->ens)
		return pcs_ensemble_forecast(m->ens, h);
	return pcs_snaive_forecast(m->sn, h);
}

void
pcs_model_forecast_path(const pcs_model *m, const size_t *h, size_t n, double *out)
{
	if (m->ets)
		pcs_ets_forecast_path(m->ets, h, n, out);
	else if (m->mstl)
		pcs_mstl_forecast_path(m->mstl, h, n, out);
	else if (m->ens)
		pcs_ensemble_forecast_path(m->ens, h, n, out);
	else
		for (size_t j = 0; j < n; j++)
			out[j] = pcs_model_forecast(m, h[j]);
}
