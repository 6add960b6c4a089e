/* rng.h — the unit tests' random draws: xorshift64 (Marsaglia 2003,
 * "Xorshift RNGs", J. Stat. Softw. 8(14)), the same draws on every
 * machine, so that every tolerance is reproducible. */
#ifndef PCS_TEST_RNG_H
#define PCS_TEST_RNG_H

#include <math.h>
#include <stdint.h>

static uint64_t rng;

static void __attribute__((unused))
reseed(uint64_t s)
{
	rng = s * 0x9E3779B97F4A7C15ull | 1;
}

/* uniform on (0, 1) */
static double __attribute__((unused))
unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* standard normal (Box-Muller) */
static double __attribute__((unused))
gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}

#endif
