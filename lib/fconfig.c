/* fconfig.c — forecasting configurations: their names and how one becomes a
 * model spec for a given series. */
#include <stdio.h>
#include <string.h>

#include "pcs_forecast.h"

static const char *const seasons_names[] = { "auto", "none", "daily", "weekly", "daily+weekly" };
static const char *const trend_names[] = { "damped", "linear", "none" };
static const char *const transform_names[] = { "none", "log", "boxcox" };
static const char *const qmethod_names[] = { "conformal", "flat", "normal" };

#define NAMES(a) (sizeof(a) / sizeof *(a))

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int
parse_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *pcs_seasons_name(int v) { return name_of(seasons_names, NAMES(seasons_names), v); }
const char *pcs_trend_name(int v) { return name_of(trend_names, NAMES(trend_names), v); }
const char *pcs_transform_name(int v) { return name_of(transform_names, NAMES(transform_names), v); }
const char *pcs_qmethod_name(int v) { return name_of(qmethod_names, NAMES(qmethod_names), v); }
int pcs_seasons_parse(const char *s) { return parse_name(seasons_names, NAMES(seasons_names), s); }
int pcs_trend_parse(const char *s) { return parse_name(trend_names, NAMES(trend_names), s); }
int pcs_transform_parse(const char *s) { return parse_name(transform_names, NAMES(transform_names), s); }
int pcs_qmethod_parse(const char *s) { return parse_name(qmethod_names, NAMES(qmethod_names), s); }

void
pcs_fconfig_format(const struct pcs_fconfig *c, char *buf, size_t size)
{
	int trended = c->kind == PCS_MODEL_ETS || c->kind == PCS_MODEL_MSTL;
	int n = snprintf(buf, size, "%s/%s/%s/%s/%s", pcs_model_name(c->kind),
	                 pcs_seasons_name(c->seasons),
	                 trended ? pcs_trend_name(c->trend) : "-",
	                 pcs_transform_name(c->transform), pcs_qmethod_name(c->qmethod));

	if (c->window && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "/w%zu", c->window);
}

int
pcs_fconfig_spec(const struct pcs_fconfig *c, int64_t step, size_t n_train,
                 struct pcs_model_spec *spec)
{
	int daily, weekly;
	size_t longest;

	pcs_seasonal_periods(step, &daily, &weekly);
	/* a cycle is learnt from two of it at least */
	if (daily && n_train < 2 * (size_t)daily)
		daily = 0;
	if (weekly && n_train < 2 * (size_t)weekly)
		weekly = 0;
	memset(spec, 0, sizeof *spec);
	spec->kind = c->kind;
	spec->trend = c->trend;
	spec->transform = c->transform;
	spec->step = step;
	if (c->kind == PCS_MODEL_REG)
		/* the regression's Fourier terms take whatever cycles the window
		 * holds (reg.c); it needs a few points for its trend */
		return n_train >= 8 ? 0 : -1;
	switch (c->seasons) {
	case PCS_SEASONS_AUTO:
		/* the daily cycle, with the weekly one; or the weekly alone (a
		 * daily step) */
		spec->period1 = daily ? daily : weekly;
		spec->period2 = daily ? weekly : 0;
		break;
	case PCS_SEASONS_NONE:
		break;
	case PCS_SEASONS_DAILY:
		if (!daily)
			return -1;
		spec->period1 = daily;
		break;
	case PCS_SEASONS_WEEKLY:
		if (!weekly)
			return -1;
		spec->period1 = weekly;
		break;
	case PCS_SEASONS_BOTH:
		if (!daily || !weekly || c->kind == PCS_MODEL_SNAIVE)
			return -1;
		spec->period1 = daily;
		spec->period2 = weekly;
		break;
	default:
		return -1;
	}
	if (c->kind == PCS_MODEL_SNAIVE) {
		spec->period2 = 0;
		if (spec->period1 == 0)
			spec->kind = PCS_MODEL_NAIVE;
		return 0;
	}
	if (c->kind != PCS_MODEL_ETS && c->kind != PCS_MODEL_MSTL)
		return -1;
	longest = (size_t)(spec->period2 > spec->period1 ? spec->period2 : spec->period1);
	return n_train >= (longest ? 2 * longest : 8) ? 0 : -1;
}
