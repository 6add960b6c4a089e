/* Unit tests: pcs_format_g and pcs_format_int give printf's bytes;
 * pcs_parse_double (its fast path for plain decimals) gives strtod's value. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

/* xorshift64: the same values on every run and machine */
static uint64_t rng = UINT64_C(88172645463325252);

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long nbad;

/* Compare with snprintf; print the first few differences. */
static int
same_g(double v, int prec)
{
	char got[PCS_NUMFMT_MAX + 8], want[64];
	size_t n = pcs_format_g(got, v, prec);

	snprintf(want, sizeof want, "%.*g", prec, v);
	if (strcmp(got, want) == 0 && n == strlen(want))
		return 1;
	if (nbad++ < 5)
		printf("#   %.17g at %%.%dg: got \"%s\" (%zu), want \"%s\"\n", v, prec, got, n, want);
	return 0;
}

/* Every precision of 1..17 on v and -v. */
static int
same_g_all(double v)
{
	int good = 1;

	for (int p = 1; p <= 17; p++)
		good &= same_g(v, p) & same_g(-v, p);
	return good;
}

static int
same_int(long long v)
{
	char got[PCS_NUMFMT_MAX], want[64];
	size_t n = pcs_format_int(got, v);

	snprintf(want, sizeof want, "%lld", v);
	if (strcmp(got, want) == 0 && n == strlen(want))
		return 1;
	if (nbad++ < 5)
		printf("#   %lld: got \"%s\", want \"%s\"\n", v, got, want);
	return 0;
}

/* pcs_parse_double as it was before its fast path: strtod on the whole
 * field, no hexadecimal, finite, no overflow. */
static int
ref_parse(const char *s, double *out)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || strpbrk(s, "xX") != NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return -1;
	*out = v;
	return 0;
}

/* pcs_parse_double(s) is the reference to the bit, or both refuse s. */
static int
same_parse(const char *s)
{
	double want = 0, got = 0;
	int rw = ref_parse(s, &want), rc = pcs_parse_double(s, &got);

	if (rc == rw && memcmp(&got, &want, sizeof got) == 0)
		return 1;
	if (nbad++ < 5)
		printf("#   \"%s\": got %.17g (rc %d), want %.17g (rc %d)\n", s, got, rc, want, rw);
	return 0;
}

int
main(void)
{
	static const double edge[] = {
		0.0, 1.0, 0.5, 0.1, 0.2, 0.3, 1.5, 2.5, 9.5, 10, 100, 1e9, 1e10, 1e15, 1e16, 1e17,
		1e-4, 1e-5, 0.0001, 0.00012345, 9.9999999995, 9.99999999949, 99999.99999,
		999999999.95, 9999999999.5, 1234567890.5, 1234567891.5, 0.125, 0.375,
		20.0, 73.96732207, 0.9995, 0.99950000000000006, 1 - 1e-16, 1 + 2.220446049250313e-16,
		123456789012345678.0, 1.2345678901234567e-7, 3.0000000000000004, 0.30000000000000004,
		4.35, 2.675, 1e21, 1e22, 1e23, 1e25, 1e-20, 1e-21, 1e300, 1e-300, 1e308,
		DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 2.2250738585072009e-308,
		9007199254740992.0, 9007199254740993.0, 18446744073709551616.0, 1e303,
		0.5e-4, 0.000099999999995, 0.00009999999999949,
	};
	const size_t nedge = sizeof edge / sizeof *edge;
	int good;
	char buf[PCS_NUMFMT_MAX];

	good = 1;
	for (size_t i = 0; i < nedge; i++)
		good &= same_g_all(edge[i]);
	ok(good, "edge values at every precision, both signs");

	ok(pcs_format_g(buf, 0.0, 10) == 1 && strcmp(buf, "0") == 0, "0 is \"0\"");
	ok(pcs_format_g(buf, -0.0, 10) == 2 && strcmp(buf, "-0") == 0, "-0 is \"-0\", as printf");
	good = same_g(NAN, 10) & same_g(-NAN, 10) & same_g(INFINITY, 10) & same_g(-INFINITY, 10);
	ok(good, "NaN and infinities as printf");

	/* integers, and integers plus a half (ties broken to even) */
	good = 1;
	for (long long i = -2000; i <= 2000; i++)
		good &= same_g((double)i, 10) & same_g(i + 0.5, 1) & same_g(i + 0.5, 3) &
		        same_g(i * 0.25, 2) & same_g(i / 8.0, 3);
	for (int i = 0; i < 200000; i++) {
		double v = (double)(int64_t)(next() >> (next() % 64));
		good &= same_g(v, 10) & same_g(v + 0.5, 10) & same_g(v, 1 + (int)(next() % 17));
	}
	ok(good, "integers and exact halves");

	/* decimals of up to 17 significant digits, as the metrics streams hold */
	good = 1;
	for (int i = 0; i < 300000; i++) {
		double scale = pow(10, (int)(next() % 40) - 20);
		double v = (double)(next() >> (next() % 64)) * scale;
		good &= same_g(v, 10) & same_g(v, 17) & same_g(v, 1 + (int)(next() % 17));
	}
	ok(good, "decimals from 1e-20 to 1e20");

	/* dyadic fractions: many exact ties at some precision */
	good = 1;
	for (int i = 0; i < 200000; i++) {
		double v = ldexp((double)(next() >> (11 + next() % 50)), -(int)(next() % 40));
		good &= same_g(v, 10) & same_g(v, 1 + (int)(next() % 17));
	}
	ok(good, "dyadic fractions (exact ties)");

	/* any bit pattern: huge, tiny and subnormal values take printf's path */
	good = 1;
	for (int i = 0; i < 300000; i++) {
		uint64_t u = next();
		double v;
		memcpy(&v, &u, sizeof v);
		good &= same_g(v, 10) & same_g(v, 1 + (int)(next() % 17));
	}
	ok(good, "random bit patterns");

	/* scores in [0, 1), as the detector writes them */
	good = 1;
	for (int i = 0; i < 200000; i++) {
		double v = (double)(next() >> 11) / 9007199254740992.0;
		good &= same_g(v, 10) & same_g(1 - v * 1e-3, 10);
	}
	ok(good, "values in [0, 1) and near 1");

	good = 1;
	{
		static const char *const plain[] = {
			"0", "-0", "+0", "0.0", "-0.0", "1", "20.0", "73.967322070", ".5", "5.", "-.5",
			"0.1", "0.3", "9007199254740992", "9007199254740993", "18014398509481985",
			"1234567890123456789", "12345678901234567890", "0.1234567890123456789",
			"1.7976931348623157", "4.9406564584124654", "0.0000000000000000000001",
			"0.00000000000000000000001", "123456.7890123456789", "2.2250738585072011",
			"  42", "42  ", "\t-1.5\t", "1e5", "1E-3", "0x10", "inf", "nan", "", "-", ".",
			"1.2.3", "1,5", "--1", "+-1", "1 2", "1e400", "1e-400", "9.999999999999999",
		};
		for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
			good &= same_parse(plain[i]);
	}
	for (int i = 0; i < 300000; i++) {
		char s[64];
		int ip = (int)(next() % 20), fp = (int)(next() % 24), n = 0;
		if (next() % 3 == 0)
			s[n++] = next() % 2 ? '-' : '+';
		for (int j = 0; j < ip; j++)
			s[n++] = (char)('0' + next() % 10);
		if (fp > 0 || next() % 4 == 0) {
			s[n++] = '.';
			for (int j = 0; j < fp; j++)
				s[n++] = (char)('0' + next() % 10);
		}
		s[n] = '\0';
		good &= same_parse(s);
		snprintf(s, sizeof s, "%.*g", 1 + (int)(next() % 17), (double)(next() >> 11) * 1e-9);
		good &= same_parse(s);
	}
	ok(good, "pcs_parse_double is strtod's value, plain decimals and others");

	good = same_int(0) & same_int(-1) & same_int(1) & same_int(LLONG_MAX) &
	       same_int(LLONG_MIN) & same_int(LLONG_MIN + 1) & same_int(1396310400);
	for (int i = 0; i < 100000; i++)
		good &= same_int((long long)(next() >> (next() % 64))) &
		        same_int(-(long long)(next() >> (1 + next() % 63)));
	ok(good, "pcs_format_int as %%lld");
	if (nbad)
		printf("# %ld differences\n", nbad);
	return tap_done();
}
