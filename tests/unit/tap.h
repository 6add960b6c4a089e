/* tap.h — a minimal Test Anything Protocol producer for the C unit tests. */
#ifndef PCS_TAP_H
#define PCS_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do { \
	int ok_ = (cond) ? 1 : 0; \
	printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!ok_) { \
		tap_failed++; \
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define is_str(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	ok(g_ && strcmp(g_, w_) == 0, "%s", name); \
	if (!(g_ && strcmp(g_, w_) == 0)) \
		printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_); \
} while (0)

#define is_num(got, want, tol, name) do { \
	double g_ = (got), w_ = (want); \
	ok(fabs(g_ - w_) <= (tol), "%s", name); \
	if (!(fabs(g_ - w_) <= (tol))) \
		printf("#   got %.17g, want %.17g\n", g_, w_); \
} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
