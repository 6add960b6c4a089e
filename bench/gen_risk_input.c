/* gen_risk_input.c — synthetic inputs for bench/risk-plan.sh.
 *
 *   gen_risk_input forecast|capacity|topology [-g GROUPS] [-p POPS]
 *                  [-P PRIMARIES] [-s SURGE] [-m MINUTE] [-t START] [-S SEED]
 *
 * Writes one CSV to stdout:
 *
 *   forecast  `issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,
 *             model,anomaly_score,anomaly` as pcs-forecast writes it: per
 *             group, horizons 300, 900 and 1800 s, issued at START + 60 x
 *             MINUTE; the region is the group's region for even groups and
 *             `*` for odd ones; groups in order, each group's rows together.
 *   capacity  `pop,group,region,capacity_rps,load_rps,cpu,mem,bw`: POPS rows
 *             per group (5), distinct POPs of the group's region.
 *   topology  `pop,group,service,role,region,instance_rps,instances,
 *             max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,
 *             warm_cost_frac`: the same POPs, the first PRIMARIES (2) primary,
 *             the others secondary, service `edge`.
 *
 * Every group's parameters come from its own seed (SEED and its index), so
 * the first k groups of a run with -g N are those of a run with -g k, and
 * the output is a pure function of the options.  A group is in a surge at
 * MINUTE when its surge draw is below SURGE (0.05) + 0.002 x MINUTE, so a
 * few groups join the surge each minute.  Of the surging groups, 70% reach a
 * p50 demand above their tightest primary's capacity by 900 s (the planner
 * warms and activates), the others get a p90 above capacity with a p50 below
 * 90% of it (the planner only warms).  Normal groups stay near their load,
 * with at least 40% spare capacity on every POP.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_POPS 12
#define NREG 3

static const char *const region_name[NREG] = { "eu", "us", "ap" };
static const char *const pop_name[NREG][MAX_POPS] = {
	{ "fra", "ams", "lhr", "par", "mad", "mil", "waw", "sto", "vie", "zrh", "cph", "dub" },
	{ "iad", "ord", "sfo", "lax", "dfw", "atl", "sea", "mia", "den", "bos", "ewr", "phx" },
	{ "nrt", "hkg", "sin", "syd", "bom", "icn", "kix", "tpe", "mel", "akl", "cgk", "mnl" },
};
static const long horizon[3] = { 300, 900, 1800 };

static uint64_t rng_state;

static uint64_t rng(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(void) { return (double)(rng() >> 11) * 0x1.0p-53; }

struct group {
	int region;
	int pop[MAX_POPS];
	double load[MAX_POPS], cap[MAX_POPS], cpu[MAX_POPS], mem[MAX_POPS], bw[MAX_POPS];
	long inst[MAX_POPS];
	double level, ipr, ratio;      /* total load, instance_rps, tightest primary */
	double surge_draw, kind_draw, phase;
	double rtt[MAX_POPS], cost[MAX_POPS], boot;
};

/* Everything about group g, from its own seed. */
static void
make_group(uint64_t seed, long g, int pops, int primaries, struct group *G)
{
	int perm[MAX_POPS];
	double wsum = 0, w[MAX_POPS];

	rng_state = seed ^ ((uint64_t)(g + 1) * 0xd1342543de82ef95ULL);
	rng();
	G->region = (int)(rng() % NREG);
	for (int i = 0; i < MAX_POPS; i++)
		perm[i] = i;
	for (int i = 0; i < pops; i++) {
		int j = i + (int)(rng() % (uint64_t)(MAX_POPS - i)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
		G->pop[i] = perm[i];
	}
	G->level = exp(log(50.0) + unif() * (log(5000.0) - log(50.0)));
	/* an instance serves about 1/40 of the group */
	G->ipr = floor(G->level / 40 * 100 + 0.5) / 100;
	if (G->ipr < 1)
		G->ipr = 1;
	for (int i = 0; i < pops; i++)
		wsum += w[i] = 0.5 + unif();
	G->ratio = INFINITY;
	for (int i = 0; i < pops; i++) {
		double u = 1.5 + 0.7 * unif(), derate, eff;
		G->load[i] = floor(G->level * w[i] / wsum * 100 + 0.5) / 100;
		G->inst[i] = (long)ceil(G->load[i] * u / G->ipr);
		G->cap[i] = (double)G->inst[i] * G->ipr;
		/* cpu tracks load, up to 5% worse than linear: some derating */
		G->cpu[i] = floor(G->load[i] / G->cap[i] * (0.95 + 0.1 * unif()) * 100 + 0.5) / 100;
		G->mem[i] = floor((0.2 + 0.4 * unif()) * 100 + 0.5) / 100;
		G->bw[i] = floor((0.1 + 0.4 * unif()) * 100 + 0.5) / 100;
		derate = fmax(G->cpu[i], fmax(G->mem[i], G->bw[i]));
		eff = derate > 0 ? fmin(G->cap[i], G->load[i] / derate) : G->cap[i];
		if (i < primaries && eff / G->load[i] < G->ratio)
			G->ratio = eff / G->load[i];
		G->rtt[i] = i < primaries ? 0 : floor(5 + 35 * unif());
		G->cost[i] = floor((0.3 + 0.2 * unif()) * 100 + 0.5) / 100;
	}
	G->boot = 120 + 60 * (double)(rng() % 3);
	G->surge_draw = unif();
	G->kind_draw = unif();
	G->phase = 6.283185307179586 * unif();
}

static void
fmt_time(long long t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
main(int argc, char **argv)
{
	long groups = 100000, minute = 0;
	int pops = 5, primaries = 2, c;
	double surge = 0.05;
	long long start = 1772452800LL;   /* 2026-03-02T12:00:00Z */
	uint64_t seed = 42;
	const char *what;
	struct group G;

	if (argc < 2) {
		fprintf(stderr, "usage: gen_risk_input forecast|capacity|topology [-g GROUPS] "
		        "[-p POPS] [-P PRIMARIES] [-s SURGE] [-m MINUTE] [-t START] [-S SEED]\n");
		return 2;
	}
	what = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "g:p:P:s:m:t:S:")) != -1) {
		switch (c) {
		case 'g': groups = strtol(optarg, NULL, 10); break;
		case 'p': pops = (int)strtol(optarg, NULL, 10); break;
		case 'P': primaries = (int)strtol(optarg, NULL, 10); break;
		case 's': surge = strtod(optarg, NULL); break;
		case 'm': minute = strtol(optarg, NULL, 10); break;
		case 't': start = strtoll(optarg, NULL, 10); break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (groups <= 0 || pops < 1 || pops > MAX_POPS || primaries < 1 || primaries > pops ||
	    !(surge >= 0 && surge <= 1) || minute < 0) {
		fprintf(stderr, "gen_risk_input: bad sizes\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (strcmp(what, "capacity") == 0) {
		printf("pop,group,region,capacity_rps,load_rps,cpu,mem,bw\n");
		for (long g = 0; g < groups; g++) {
			make_group(seed, g, pops, primaries, &G);
			for (int i = 0; i < pops; i++)
				printf("%s,g%07ld,%s,%.2f,%.2f,%.2f,%.2f,%.2f\n",
				       pop_name[G.region][G.pop[i]], g, region_name[G.region], G.cap[i],
				       G.load[i], G.cpu[i], G.mem[i], G.bw[i]);
		}
	} else if (strcmp(what, "topology") == 0) {
		printf("pop,group,service,role,region,instance_rps,instances,max_instances,"
		       "boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac\n");
		for (long g = 0; g < groups; g++) {
			make_group(seed, g, pops, primaries, &G);
			for (int i = 0; i < pops; i++) {
				int prim = i < primaries;
				/* secondaries can take twice their size in shadows */
				long max = prim ? G.inst[i] + 4 : 3 * G.inst[i];
				printf("%s,g%07ld,edge,%s,%s,%.2f,%ld,%ld,%.0f,20,%.0f,%.2f,0.1\n",
				       pop_name[G.region][G.pop[i]], g, prim ? "primary" : "secondary",
				       region_name[G.region], G.ipr, G.inst[i], max, G.boot, G.rtt[i],
				       G.cost[i]);
			}
		}
	} else if (strcmp(what, "forecast") == 0) {
		static const double act_m[3] = { 0.85, 1.15, 1.45 }, warm_m[3] = { 0.75, 0.82, 0.87 };
		long long issued = start + 60LL * minute;
		char ts[32], tt[32];

		fmt_time(issued, ts, sizeof ts);
		printf("issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,model,"
		       "anomaly_score,anomaly\n");
		for (long g = 0; g < groups; g++) {
			int surging;
			make_group(seed, g, pops, primaries, &G);
			surging = G.surge_draw < surge + 0.002 * (double)minute;
			for (int j = 0; j < 3; j++) {
				double p50, p90, p95, p99;
				fmt_time(issued + horizon[j], tt, sizeof tt);
				if (surging) {
					p50 = G.level * G.ratio * (G.kind_draw < 0.7 ? act_m[j] : warm_m[j]);
					p90 = p50 * 1.25;
					p95 = p50 * 1.35;
					p99 = p50 * 1.6;
				} else {
					p50 = G.level * (1 + 0.03 * sin(G.phase + 0.1 * (double)minute +
					                                 (double)j));
					p90 = p50 * 1.08;
					p95 = p50 * 1.11;
					p99 = p50 * 1.18;
				}
				printf("%s,g%07ld,%s,%ld,%s,%.4f,%.4f,%.4f,%.4f,%.4f,ets-mul,%.4f,%d\n", ts, g,
				       g % 2 ? "*" : region_name[G.region], horizon[j], tt, p50 * 1.02, p50,
				       p90, p95, p99, surging ? 3.5 : 0.4, surging);
			}
		}
	} else {
		fprintf(stderr, "gen_risk_input: want forecast, capacity or topology, not '%s'\n", what);
		return 2;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen_risk_input: write");
		return 1;
	}
	return 0;
}
