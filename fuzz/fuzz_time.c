/* fuzz_time.c — the fuzz input into the time and duration parsers of
 * lib/time.c (pcs_time.h).
 *
 * pcs_time_parse gets an exact-length heap copy with no NUL after it (so
 * AddressSanitizer catches a read past len); pcs_duration_parse gets a
 * NUL-terminated copy.  Properties checked, with __builtin_trap when one
 * fails:
 *   - a parsed time lies in [PCS_TIME_MIN, PCS_TIME_MAX];
 *   - pcs_time_format of it is 20 bytes of RFC 3339 UTC, and parsing that
 *     gives the same time back (and formatting that, the same text);
 *   - its day survives pcs_civil_from_days and pcs_days_from_civil;
 *   - a parsed duration is positive;
 *   - a failed parse leaves a message.
 */
#include <stdlib.h>
#include <string.h>

#include "pcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact, *str, buf[64], buf2[64];
	int64_t t, t2, secs;
	pcs_error err;

	if (size > 4096)
		return 0;
	exact = malloc(size ? size : 1);
	str = malloc(size + 1);
	if (exact == NULL || str == NULL)
		abort();
	memcpy(exact, data, size);
	memcpy(str, data, size);
	str[size] = '\0';

	memset(&err, 0, sizeof err);
	if (pcs_time_parse(exact, size, &t, &err) == 0) {
		size_t n, n2;
		int64_t y, days;
		unsigned m, d;

		if (t < PCS_TIME_MIN || t > PCS_TIME_MAX)
			__builtin_trap();
		n = pcs_time_format(t, buf, sizeof buf);
		if (n != 20 || strlen(buf) != 20 || buf[19] != 'Z')
			__builtin_trap();
		if (pcs_time_parse(buf, n, &t2, &err) != 0 || t2 != t)
			__builtin_trap();
		n2 = pcs_time_format(t2, buf2, sizeof buf2);
		if (n2 != n || memcmp(buf, buf2, n) != 0)
			__builtin_trap();
		days = floor_div(t, 86400);
		pcs_civil_from_days(days, &y, &m, &d);
		if (m < 1 || m > 12 || d < 1 || d > 31 || pcs_days_from_civil(y, m, d) != days)
			__builtin_trap();
	} else if (err.msg[0] == '\0') {
		__builtin_trap();
	}

	memset(&err, 0, sizeof err);
	if (pcs_duration_parse(str, &secs, &err) == 0) {
		if (secs <= 0)
			__builtin_trap();
	} else if (err.msg[0] == '\0') {
		__builtin_trap();
	}
	free(exact);
	free(str);
	return 0;
}
