/* fuzz_state.c — the fuzz input as a state file of pcs-shadow-plan and of
 * pcs-route-weights, as they read their --state: pcs_state_read from a
 * temporary file, then pcs_planner_load (lib/shadow.c) against the fleet
 * of testdata/plan/topology.csv and pcs_router_load (lib/route.c).
 *
 * A state that loads is saved, loaded into a fresh planner or router and
 * saved again: the two saves must be the same JSON (__builtin_trap if not).
 * Leak detection stays on.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pcs.h"
#include "tmpfile.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pcs_topology *topo;
static struct pcs_shadow_params shadow_params;
static struct pcs_route_params route_params;

static void
init(void)
{
	struct cli_common c;
	const char *root = getenv("PCS_FUZZ_ROOT");
	char path[4096];

	snprintf(path, sizeof path, "%s/testdata/plan/topology.csv", root ? root : FUZZ_ROOT);
	cli_common_defaults(&c);
	topo = cli_load_topology(&c, path);
	pcs_shadow_defaults(&shadow_params);
	pcs_route_defaults(&route_params);
}

static void
planner(const json_t *st)
{
	pcs_planner *pl = pcs_planner_new(topo, &shadow_params), *pl2;
	pcs_error err;
	json_t *s1, *s2;

	if (pl == NULL)
		abort();
	if (pcs_planner_load(pl, st, &err) != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		pcs_planner_free(pl);
		return;
	}
	(void)pcs_planner_last_run(pl);
	if ((s1 = pcs_planner_save(pl)) == NULL || (pl2 = pcs_planner_new(topo, &shadow_params)) == NULL)
		abort();
	if (pcs_planner_load(pl2, s1, &err) != 0)
		__builtin_trap();
	if ((s2 = pcs_planner_save(pl2)) == NULL)
		abort();
	if (!json_equal(s1, s2))
		__builtin_trap();
	json_decref(s1);
	json_decref(s2);
	pcs_planner_free(pl2);
	pcs_planner_free(pl);
}

static void
router(const json_t *st)
{
	pcs_router *r = pcs_router_new(&route_params), *r2;
	pcs_error err;
	json_t *s1, *s2;

	if (r == NULL)
		abort();
	if (pcs_router_load(r, st, &err) != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		pcs_router_free(r);
		return;
	}
	(void)pcs_router_last_tick(r);
	if ((s1 = pcs_router_save(r)) == NULL || (r2 = pcs_router_new(&route_params)) == NULL)
		abort();
	if (pcs_router_load(r2, s1, &err) != 0)
		__builtin_trap();
	if ((s2 = pcs_router_save(r2)) == NULL)
		abort();
	if (!json_equal(s1, s2))
		__builtin_trap();
	json_decref(s1);
	json_decref(s2);
	pcs_router_free(r2);
	pcs_router_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *st = NULL;
	pcs_error err;

	if (topo == NULL)
		init();
	if (pcs_state_read(fuzz_write_temp(data, size), "state file", &st, &err) != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		return 0;
	}
	if (st == NULL)
		return 0;
	planner(st);
	router(st);
	json_decref(st);
	return 0;
}
