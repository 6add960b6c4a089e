/* Unit tests: routing weights, breakers, the alias sampler. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

static const struct pcs_route_out *
tick(pcs_router *r, int64_t ts, int n, const char **pops, const double *lat,
     const double *err, const double *req, size_t *nout)
{
	const struct pcs_route_out *out;
	pcs_error e;

	for (int i = 0; i < n; i++) {
		struct pcs_health h = { "g", pops[i], ts, 100, 50, lat[i], err[i], req[i], -1 };
		pcs_router_observe(r, &h, &e);
	}
	pcs_router_tick(r, ts, &out, nout, &e);
	return out;
}

static double
sum_share(const struct pcs_route_out *o, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += o[i].share;
	return s;
}

int
main(void)
{
	struct pcs_route_params p;
	const char *pops[3] = { "a", "b", "c" };
	double lat[3] = { 50, 50, 50 }, err[3] = { 0, 0, 0 }, req[3] = { 100, 100, 100 };
	const struct pcs_route_out *o;
	size_t n;
	int64_t t = 1000;

	pcs_route_defaults(&p);
	{
		pcs_router *r = pcs_router_new(&p);
		o = tick(r, t, 3, pops, lat, err, req, &n);
		ok(n == 3 && fabs(o[0].share - 1.0 / 3) < 1e-12 && fabs(sum_share(o, n) - 1) < 1e-12,
		   "equal POPs, equal shares");
		/* b's latency doubles and stays: its share falls, by at most max_step a tick */
		double before = o[1].share, worst_step = 0;
		lat[1] = 100;
		for (int k = 0; k < 20; k++) {
			double prev = o[1].share;
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
			worst_step = fmax(worst_step, fabs(o[1].share - prev));
		}
		double sustained = before - o[1].share;
		ok(o[1].share < before * 0.7, "sustained slowness: share %.3f from %.3f", o[1].share, before);
		ok(worst_step <= p.max_step + 1e-12, "never more than max_step a tick (%.3f)", worst_step);
		ok(fabs(sum_share(o, n) - 1) < 1e-9, "shares sum to 1");
		/* one slow sample moves it a little */
		lat[1] = 50;
		for (int k = 0; k < 30; k++)
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		before = o[1].share;
		lat[1] = 100;
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		lat[1] = 50;
		ok(before - o[1].share < sustained / 2 && before - o[1].share > 0,
		   "one slow sample moves it less than half as far as a sustained one (%.3f < %.3f)",
		   before - o[1].share, sustained);
		/* c fails: opens within the tick the window crosses 50%, share 0 */
		err[2] = 0.9;
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_CLOSED, "one bad tick of six in the window: still closed");
		int ticks = 1;
		while (o[2].breaker == PCS_BREAKER_CLOSED && ticks < 20) {
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
			ticks++;
		}
		ok(o[2].breaker == PCS_BREAKER_OPEN && o[2].share == 0 && ticks == 4,
		   "opens on the tick the window's error rate reaches 50%% (tick %d)", ticks);
		ok(fabs(o[0].share + o[1].share - 1) < 1e-9, "the others take all of it");
		/* sleep 30 s, then half-open; a failed probe doubles the sleep */
		for (int k = 0; k < 3; k++)
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_HALF_OPEN && fabs(o[2].share - p.probe_share) < 1e-12,
		   "after the sleep: half-open with the probe share");
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_OPEN, "a failed probe opens it again");
		for (int k = 0; k < 5; k++)
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_OPEN, "the second sleep is longer (60 s)");
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_HALF_OPEN, "half-open after 60 s");
		err[2] = 0;
		for (int k = 0; k < 3; k++)
			o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].breaker == PCS_BREAKER_CLOSED && o[2].share <= p.probe_share + p.max_step + 1e-12,
		   "three good probes close it; its share ramps from the probe share (%.3f)", o[2].share);
		pcs_router_free(r);
	}
	{
		/* low traffic never trips */
		pcs_router *r = pcs_router_new(&p);
		double e2[3] = { 1, 0, 0 }, r2[3] = { 1, 100, 100 };
		for (int k = 0; k < 10; k++)
			o = tick(r, t += 10, 3, pops, lat, e2, r2, &n);
		ok(o[0].breaker == PCS_BREAKER_CLOSED && o[0].share == 0,
		   "below min-requests: no trip, but no share either (errors at 100%%)");
		pcs_router_free(r);
	}
	{
		/* all fail: at most half may be ejected, the least bad stay */
		pcs_router *r = pcs_router_new(&p);
		double e3[3] = { 0.9, 0.6, 0.8 };
		for (int k = 0; k < 8; k++)
			o = tick(r, t += 10, 3, pops, lat, e3, req, &n);
		ok(o[0].breaker == PCS_BREAKER_OPEN && o[1].breaker == PCS_BREAKER_CLOSED &&
		   o[2].breaker == PCS_BREAKER_CLOSED && strncmp(o[1].reason, "panic", 5) == 0,
		   "panic: only the worst is ejected; the others say why");
		ok(fabs(sum_share(o, n) - 1) < 1e-9, "and the shares still sum to 1");
		pcs_router_free(r);
	}
	{
		/* a shadow going active takes a share */
		pcs_router *r = pcs_router_new(&p);
		pcs_error e;
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		double before = o[2].share;
		pcs_router_set_shadow(r, "g", "c", 1, &e);
		o = tick(r, t += 10, 3, pops, lat, err, req, &n);
		ok(o[2].shadow && o[2].share > before, "an active shadow gains share (%.3f -> %.3f)",
		   before, o[2].share);
		/* state round trip */
		json_t *s = pcs_router_save(r);
		pcs_router *r2 = pcs_router_new(&p);
		char *a, *b;
		ok(pcs_router_load(r2, s, &e) == 0, "state loads");
		json_t *s2 = pcs_router_save(r2);
		a = json_dumps(s, JSON_SORT_KEYS);
		b = json_dumps(s2, JSON_SORT_KEYS);
		ok(strcmp(a, b) == 0, "save -> load -> save is the identity");
		free(a);
		free(b);
		json_decref(s);
		json_decref(s2);
		pcs_router_free(r);
		pcs_router_free(r2);
	}
	{
		/* the alias method against a chi-square test */
		double w[4] = { 1, 2, 3, 4 }, chi = 0;
		long count[4] = { 0 }, draws = 200000;
		uint64_t seed = 42;
		pcs_alias *a = pcs_alias_new(w, 4);
		for (long k = 0; k < draws; k++) {
			double u1 = pcs_uniform(&seed), u2 = pcs_uniform(&seed);
			count[pcs_alias_draw(a, u1, u2)]++;
		}
		for (int i = 0; i < 4; i++) {
			double expect = draws * w[i] / 10;
			chi += (count[i] - expect) * (count[i] - expect) / expect;
		}
		/* 3 degrees of freedom: P(chi2 > 16.27) = 0.001 */
		ok(chi < 16.27, "alias draws match the weights: chi2 = %.2f on 3 df", chi);
		pcs_alias_free(a);
		ok(pcs_alias_new(w, 0) == NULL && pcs_alias_new((double[]){ 0, 0 }, 2) == NULL,
		   "no weights or a zero sum: refused");
	}
	{
		double sh[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
		long w[3];
		pcs_integer_weights(sh, 3, 255, w);
		ok(w[0] + w[1] + w[2] == 255 && w[0] == 85, "largest remainder: 85 85 85");
		double sh2[3] = { 0.5, 0.5, 0 };
		pcs_integer_weights(sh2, 3, 255, w);
		ok(w[0] == 128 && w[1] == 127 && w[2] == 0, "128 127 0: ties to the first, zero stays zero");
	}
	{
		/* a POP that loses its capacity gets nothing at once (no slew),
		 * and an active shadow with no capacity yet gets no bonus */
		pcs_router *r = pcs_router_new(&p);
		struct pcs_health h[2] = { { "g", "a", 0, 100, 50, 20, 0, 100, -1 },
		                           { "g", "b", 0, 100, 50, 20, 0, 100, -1 } };
		pcs_error e;
		const struct pcs_route_out *out;
		size_t m;
		for (int64_t ts = 0; ts < 3; ts++) {
			h[0].ts = h[1].ts = ts * 10;
			pcs_router_observe(r, &h[0], &e);
			pcs_router_observe(r, &h[1], &e);
			pcs_router_tick(r, ts * 10, &out, &m, &e);
		}
		h[1].capacity_rps = 0;
		h[0].ts = h[1].ts = 30;
		pcs_router_observe(r, &h[0], &e);
		pcs_router_observe(r, &h[1], &e);
		pcs_router_tick(r, 30, &out, &m, &e);
		ok(m == 2 && out[1].share == 0 && fabs(out[0].share - 1) < 1e-12 &&
		   strcmp(out[1].reason, "no capacity") == 0,
		   "capacity 0: share 0 at once, the rest to the other POP");
		pcs_router_set_shadow(r, "g", "b", PCS_SHADOW_ACTIVE_POP, &e);
		h[0].ts = h[1].ts = 40;
		pcs_router_observe(r, &h[0], &e);
		pcs_router_observe(r, &h[1], &e);
		pcs_router_tick(r, 40, &out, &m, &e);
		ok(out[1].share == 0, "an active shadow still booting (capacity 0) gets no bonus");
		/* the only POP with capacity overloaded: the panic rule keeps it,
		 * since the other has nothing to take its load with */
		h[0].error_rate = 0.9;
		for (int64_t ts = 5; ts < 15; ts++) {
			h[0].ts = h[1].ts = ts * 10;
			pcs_router_observe(r, &h[0], &e);
			pcs_router_observe(r, &h[1], &e);
			pcs_router_tick(r, ts * 10, &out, &m, &e);
		}
		ok(out[0].breaker == PCS_BREAKER_CLOSED && strncmp(out[0].reason, "panic", 5) == 0,
		   "failing but the only POP with capacity: kept by the panic rule");
		pcs_router_free(r);
	}
	{
		/* an overloaded POP sheds at once more than max_step; no target
		 * asks a POP for more than its capacity at the group's load */
		pcs_router *r = pcs_router_new(&p);
		struct pcs_health h[2] = { { "g", "a", 0, 300, 100, 20, 0, 100, -1 },
		                           { "g", "b", 0, 100, 100, 20, 0, 100, -1 } };
		pcs_error e;
		const struct pcs_route_out *out;
		size_t m;
		pcs_router_observe(r, &h[0], &e);
		pcs_router_observe(r, &h[1], &e);
		pcs_router_tick(r, 0, &out, &m, &e);
		double a0 = out[0].share;
		h[0].ts = h[1].ts = 10;
		h[0].load_rps = 600;   /* twice its capacity */
		h[1].load_rps = 0;
		pcs_router_observe(r, &h[0], &e);
		pcs_router_observe(r, &h[1], &e);
		pcs_router_tick(r, 10, &out, &m, &e);
		ok(a0 - out[0].share > 2 * p.max_step && fabs(out[0].share + out[1].share - 1) < 1e-12,
		   "overloaded: a's share %.3f from %.3f, more than max_step at once", out[0].share, a0);
		pcs_router_free(r);
		/* b, an active shadow with a large bonus, is held to its capacity */
		struct pcs_route_params big = p;
		big.shadow_bonus = 0.9;
		r = pcs_router_new(&big);
		h[0] = (struct pcs_health){ "g", "a", 0, 300, 100, 20, 0, 100, -1 };
		h[1] = (struct pcs_health){ "g", "b", 0, 50, 0, 20, 0, 0, -1 };
		pcs_router_set_shadow(r, "g", "b", PCS_SHADOW_ACTIVE_POP, &e);
		pcs_router_observe(r, &h[0], &e);
		pcs_router_observe(r, &h[1], &e);
		pcs_router_tick(r, 0, &out, &m, &e);
		is_num(out[1].share, 0.45, 1e-9, "b's target capped at 0.9 x capacity 50 / group load 100");
		pcs_router_free(r);
	}
	return tap_done();
}
