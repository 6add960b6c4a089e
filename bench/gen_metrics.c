/* gen_metrics.c — synthetic live metrics feed for bench/throughput.sh.
 *
 *   gen_metrics [-g GROUPS] [-r REGIONS] [-n STEPS] [-s STEP_S] [-t START]
 *               [-e] [-S SEED]
 *
 * Writes `ts,group,rps,region` to stdout: STEPS instants STEP_S apart from
 * START (Unix seconds), and at each instant one row per key, GROUPS x REGIONS
 * keys, so rows are interleaved by time as a live feed is.  Each key has its
 * own level, daily and weekly cycles, multiplicative noise and occasional
 * surges.  Timestamps are RFC 3339 UTC, or Unix seconds with -e.  The output
 * is a pure function of the options.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;

static uint64_t rng(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(void) { return (double)(rng() >> 11) * 0x1.0p-53; }

typedef struct {
	double level, amp_d, amp_w, phase_d, phase_w, noise;
	long surge_left, surge_len;
	double surge_peak;
	char name[48];
	size_t name_len;
} key;

static char *put_u(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

int main(int argc, char **argv)
{
	long groups = 1000, regions = 2, steps = 2880, step = 60;
	long long start = 1767571200LL; /* 2026-01-05T00:00:00Z, a Monday */
	int epoch = 0;
	uint64_t seed = 42;
	int c;
	while ((c = getopt(argc, argv, "g:r:n:s:t:eS:")) != -1) {
		switch (c) {
		case 'g': groups = strtol(optarg, NULL, 10); break;
		case 'r': regions = strtol(optarg, NULL, 10); break;
		case 'n': steps = strtol(optarg, NULL, 10); break;
		case 's': step = strtol(optarg, NULL, 10); break;
		case 't': start = strtoll(optarg, NULL, 10); break;
		case 'e': epoch = 1; break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: gen_metrics [-g GROUPS] [-r REGIONS] "
			        "[-n STEPS] [-s STEP_S] [-t START] [-e] [-S SEED]\n");
			return 2;
		}
	}
	if (groups <= 0 || regions <= 0 || regions > 26 || steps <= 0 || step <= 0) {
		fprintf(stderr, "gen_metrics: bad sizes\n");
		return 2;
	}
	static const char *region_names[] = {
		"eu-west", "us-east", "ap-south", "us-west", "eu-central",
		"sa-east", "ap-northeast", "af-south", "me-central", "ca-central",
	};
	size_t nkeys = (size_t)groups * (size_t)regions;
	key *keys = calloc(nkeys, sizeof *keys);
	if (!keys) {
		fprintf(stderr, "gen_metrics: out of memory\n");
		return 1;
	}
	rng_state = seed;
	for (long g = 0; g < groups; g++) {
		double glevel = exp(log(20.0) + unif() * (log(20000.0) - log(20.0)));
		double gphase = unif();
		for (long r = 0; r < regions; r++) {
			key *k = &keys[(size_t)g * (size_t)regions + (size_t)r];
			k->level = glevel * (0.5 + unif());
			k->amp_d = 0.25 + 0.5 * unif();
			k->amp_w = 0.25 * unif();
			/* regions are a few hours apart, like time zones */
			k->phase_d = gphase + 0.125 * (double)r + 0.02 * unif();
			k->phase_w = unif();
			k->noise = 0.02 + 0.08 * unif();
			char rn[32];
			if ((size_t)r < sizeof region_names / sizeof *region_names)
				snprintf(rn, sizeof rn, "%s", region_names[r]);
			else
				snprintf(rn, sizeof rn, "region-%c", (char)('a' + r));
			int n = snprintf(k->name, sizeof k->name, "svc-%05ld,", g);
			k->name_len = (size_t)n;
			/* region goes last: keep it in name after a separator byte */
			snprintf(k->name + n, sizeof k->name - (size_t)n, "%s", rn);
		}
	}
	static char obuf[1 << 20];
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	char *p = obuf, *end = obuf + sizeof obuf - 256;
	p += sprintf(p, "ts,group,rps,region\n");
	const double two_pi = 6.283185307179586;
	for (long s = 0; s < steps; s++) {
		long long t = start + (long long)s * step;
		char ts[32];
		size_t tslen;
		if (epoch) {
			tslen = (size_t)snprintf(ts, sizeof ts, "%lld", t);
		} else {
			time_t tt = (time_t)t;
			struct tm tm;
			gmtime_r(&tt, &tm);
			tslen = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		double day = (double)t / 86400.0, week = day / 7.0;
		for (size_t i = 0; i < nkeys; i++) {
			key *k = &keys[i];
			double v = k->level *
			           (1 + k->amp_d * sin(two_pi * (day + k->phase_d))) *
			           (1 + k->amp_w * sin(two_pi * (week + k->phase_w)));
			/* approx. normal noise: sum of 4 uniforms, sd 1 */
			double z = (unif() + unif() + unif() + unif() - 2.0) * 1.7320508;
			v *= 1 + k->noise * z;
			if (k->surge_left > 0) {
				/* triangular ramp up then decay */
				double pos = 1.0 - (double)k->surge_left / (double)k->surge_len;
				double shape = pos < 0.3 ? pos / 0.3 : (1 - pos) / 0.7;
				v *= 1 + (k->surge_peak - 1) * shape;
				k->surge_left--;
			} else if (unif() < 0.0005) {
				k->surge_len = k->surge_left = 10 + (long)(unif() * 80);
				k->surge_peak = 1.5 + 2.5 * unif();
			}
			if (v < 0)
				v = 0;
			uint64_t tenths = (uint64_t)(v * 10 + 0.5);
			memcpy(p, ts, tslen);
			p += tslen;
			*p++ = ',';
			/* "svc-NNNNN," then rps then ",region" */
			memcpy(p, k->name, k->name_len);
			p += k->name_len;
			p = put_u(p, tenths / 10);
			*p++ = '.';
			*p++ = (char)('0' + tenths % 10);
			*p++ = ',';
			size_t rl = strlen(k->name + k->name_len);
			memcpy(p, k->name + k->name_len, rl);
			p += rl;
			*p++ = '\n';
			if (p >= end) {
				if (fwrite(obuf, 1, (size_t)(p - obuf), stdout) != (size_t)(p - obuf))
					goto werr;
				p = obuf;
			}
		}
	}
	if (fwrite(obuf, 1, (size_t)(p - obuf), stdout) != (size_t)(p - obuf) ||
	    fflush(stdout))
		goto werr;
	free(keys);
	return 0;
werr:
	perror("gen_metrics: write");
	return 1;
}
