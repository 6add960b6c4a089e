/* numfmt.c — printf's %.Ng and %lld without printf (see pcs_numfmt.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pcs_numfmt.h"

/* "00" to "99": two digits per division */
static const char pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t
pcs_format_int(char *buf, long long v)
{
	char tmp[48];   /* the digits end at 24; the 24 after are copied too */
	size_t n = 24, len = 0;
	/* through unsigned, so that LLONG_MIN negates without overflow */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	for (; u >= 100; u /= 100) {
		n -= 2;
		memcpy(tmp + n, pairs + u % 100 * 2, 2);
	}
	if (u >= 10) {
		n -= 2;
		memcpy(tmp + n, pairs + u * 2, 2);
	} else {
		tmp[--n] = (char)('0' + u);
	}
	if (v < 0)
		buf[len++] = '-';
	/* a fixed-size copy (three moves, not a call); 25 bytes at most */
	memcpy(buf + len, tmp + n, 24);
	len += 24 - n;
	buf[len] = '\0';
	return len;
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

/* 5^i up to 5^54 (< 2^126, so that a remainder doubled still fits): the
 * powers past 5^27 are products of two that fit in 64 bits. */
#define MAX_POW5 54
static const uint64_t pow5_64[28] = {
	UINT64_C(1), UINT64_C(5), UINT64_C(25),
	UINT64_C(125), UINT64_C(625), UINT64_C(3125),
	UINT64_C(15625), UINT64_C(78125), UINT64_C(390625),
	UINT64_C(1953125), UINT64_C(9765625), UINT64_C(48828125),
	UINT64_C(244140625), UINT64_C(1220703125), UINT64_C(6103515625),
	UINT64_C(30517578125), UINT64_C(152587890625), UINT64_C(762939453125),
	UINT64_C(3814697265625), UINT64_C(19073486328125), UINT64_C(95367431640625),
	UINT64_C(476837158203125), UINT64_C(2384185791015625), UINT64_C(11920928955078125),
	UINT64_C(59604644775390625), UINT64_C(298023223876953125), UINT64_C(1490116119384765625),
	UINT64_C(7450580596923828125),
};
static const uint64_t pow10[18] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100),
	UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
	UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
	UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
	UINT64_C(1000000000000000), UINT64_C(10000000000000000), UINT64_C(100000000000000000),
};

static u128
pow5(int i)
{
	return i <= 27 ? (u128)pow5_64[i] : (u128)pow5_64[27] * pow5_64[i - 27];
}

static int
bits128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	if (hi != 0)
		return 128 - __builtin_clzll(hi);
	return lo != 0 ? 64 - __builtin_clzll(lo) : 0;
}

/* The PREC significant decimal digits of a > 0 rounded as glibc's printf
 * rounds them (to nearest, ties to even, from the exact binary value), and
 * the decimal exponent E of the first: a ~= digits * 10^(E - PREC + 1).
 * a = m 2^k exactly, so a 10^p = m 5^p 2^(k+p) is a ratio of two integers
 * (5^-p goes under the bar when p < 0): its quotient and remainder in 128
 * bits give the digits and the exact rounding.  Returns -1 when the integers
 * would not fit (|a| beyond about 1e-20 .. 1e25): the caller uses printf. */
static int
round_digits(double a, int prec, uint64_t *digits, int *exp10)
{
	int e2, k, E, tz;
	uint64_t m, bits;

	/* a = m 2^k from the IEEE 754 fields (frexp and ldexp cost more) */
	memcpy(&bits, &a, sizeof bits);
	if ((bits >> 52) == 0)
		return -1;   /* subnormal: far outside the range anyway */
	m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
	e2 = (int)(bits >> 52) - 1022;   /* a in [2^(e2-1), 2^e2), as frexp */
	tz = __builtin_ctzll(m);
	m >>= tz;
	k = e2 - 53 + tz;
	/* a is in [2^(e2-1), 2^e2): E is floor((e2 - 1) log10 2) or one more;
	 * 78913 / 2^18 is log10 2 from below, and the loop corrects the guess */
	E = (e2 - 1) * 78913;
	E = E >= 0 ? E / 262144 : -((-E + 262143) / 262144);
	for (int tries = 0; tries < 4; tries++) {
		int p = prec - 1 - E, s = k + p;
		int up5 = p > 0 ? p : 0, down5 = p < 0 ? -p : 0;
		u128 A, B, q, r;

		if (up5 > MAX_POW5 || down5 > MAX_POW5 ||
		    64 - __builtin_clzll(m) + bits128(pow5(up5)) > 126)
			return -1;
		A = (u128)m * pow5(up5);
		B = pow5(down5);
		if (s >= 0) {
			if (bits128(A) + s > 126)
				return -1;
			A <<= s;
		} else {
			if (bits128(B) - s > 126)
				return -1;
			B <<= -s;
		}
		if (down5 == 0) {
			/* B is a power of two: no division */
			q = A >> (s < 0 ? -s : 0);
			r = A & (B - 1);
		} else {
			q = A / B;
			r = A % B;
		}
		if (q >= pow10[prec]) {
			E++;
			continue;
		}
		if (q < pow10[prec - 1]) {
			E--;
			continue;
		}
		if (2 * r > B || (2 * r == B && (q & 1)))
			q++;
		if (q == pow10[prec]) {   /* 9.99..95 rounds up to 10.0..0 */
			q = pow10[prec - 1];
			E++;
		}
		*digits = (uint64_t)q;
		*exp10 = E;
		return 0;
	}
	return -1;
}

/* Copy n bytes in blocks of eight: a fixed-size move is a couple of
 * instructions where memcpy of a variable size is a call.  Up to seven
 * bytes past n are written and read (see the bound above layout). */
static void
copy8(char *dst, const char *src, size_t n)
{
	for (size_t k = 0; k < n; k += 8)
		memcpy(dst + k, src + k, 8);
}

/* %.PREC g from the digits (C11 7.21.6.1): style f when -4 <= E < PREC,
 * else style e; trailing zeros of the fraction and a bare point dropped.
 * The longest text here is 23 bytes (a sign, "0.000" and 17 digits), and
 * copy8's blocks end at most at byte 30 of buf and 24 of d: within
 * PCS_NUMFMT_MAX and d, whose bytes past the digits are never shown. */
static size_t
layout(char *buf, int neg, uint64_t digits, int E, int prec)
{
	char d[32];
	size_t len = 0;
	int nd = prec, i;

	while (nd > 1 && digits % 10 == 0) {
		digits /= 10;
		nd--;
	}
	for (i = nd; i >= 2; i -= 2, digits /= 100)
		memcpy(d + i - 2, pairs + digits % 100 * 2, 2);
	if (i == 1)
		d[0] = (char)('0' + digits);
	if (neg)
		buf[len++] = '-';
	if (E >= -4 && E < prec) {
		if (E >= 0) {
			if (nd <= E + 1) {
				copy8(buf + len, d, (size_t)nd);
				len += (size_t)nd;
				for (i = nd; i <= E; i++)
					buf[len++] = '0';
			} else {
				copy8(buf + len, d, (size_t)E + 1);
				len += (size_t)E + 1;
				buf[len++] = '.';
				copy8(buf + len, d + E + 1, (size_t)(nd - E - 1));
				len += (size_t)(nd - E - 1);
			}
		} else {
			memcpy(buf + len, "0.000000", 8);
			len += (size_t)(1 - E);
			copy8(buf + len, d, (size_t)nd);
			len += (size_t)nd;
		}
	} else {
		int x = E < 0 ? -E : E;
		buf[len++] = d[0];
		if (nd > 1) {
			buf[len++] = '.';
			copy8(buf + len, d + 1, (size_t)nd - 1);
			len += (size_t)nd - 1;
		}
		buf[len++] = 'e';
		buf[len++] = E < 0 ? '-' : '+';
		if (x >= 100)
			buf[len++] = (char)('0' + x / 100);
		buf[len++] = (char)('0' + x / 10 % 10);
		buf[len++] = (char)('0' + x % 10);
	}
	buf[len] = '\0';
	return len;
}
#endif

size_t
pcs_format_g(char *buf, double v, int prec)
{
#ifdef __SIZEOF_INT128__
	uint64_t digits;
	int E;

	if (isfinite(v) && prec >= 1 && prec <= 17) {
		if (v == 0) {   /* "0", or "-0" as printf writes -0.0 */
			size_t len = 0;
			if (signbit(v))
				buf[len++] = '-';
			buf[len++] = '0';
			buf[len] = '\0';
			return len;
		}
		if (round_digits(fabs(v), prec, &digits, &E) == 0)
			return layout(buf, v < 0, digits, E, prec);
	}
#endif
	int n = snprintf(buf, PCS_NUMFMT_MAX, "%.*g", prec, v);
	return n < 0 ? 0 : (size_t)n;
}
