/* Unit tests: timestamps and durations. */
#include "tap.h"
#include "pcs.h"

static int64_t
parse(const char *s, int *rc)
{
	int64_t t = 0;
	pcs_error err;

	*rc = pcs_time_parse(s, strlen(s), &t, &err);
	return t;
}

int
main(void)
{
	int rc;
	char buf[64];
	int64_t d;
	pcs_error err;

	ok(parse("1970-01-01T00:00:00Z", &rc) == 0 && rc == 0, "epoch origin");
	ok(parse("2026-11-27T22:00:00Z", &rc) == 1795816800 && rc == 0, "RFC 3339 UTC");
	ok(parse("2026-11-27T23:00:00+01:00", &rc) == 1795816800 && rc == 0, "positive offset");
	ok(parse("2026-11-27T18:00:00-04:00", &rc) == 1795816800 && rc == 0, "negative offset");
	ok(parse("2026-11-27 22:00:00.999z", &rc) == 1795816800 && rc == 0,
	   "space separator, fraction truncated, lower-case z");
	ok(parse("1795816800", &rc) == 1795816800 && rc == 0, "Unix seconds");
	ok(parse("-86400", &rc) == -86400 && rc == 0, "negative Unix seconds");
	ok(parse("2024-02-29T00:00:00Z", &rc) == 1709164800 && rc == 0, "leap day");
	ok(parse("2024-02-29", &rc) == 1709164800 && rc == 0, "a date alone is midnight UTC");
	parse("2024-02-30", &rc);
	ok(rc == PCS_EDATA, "30 February is rejected");
	parse("2023-02-29T00:00:00Z", &rc);
	ok(rc == PCS_EDATA, "29 February of a common year is rejected");
	parse("2026-13-01T00:00:00Z", &rc);
	ok(rc == PCS_EDATA, "month 13 is rejected");
	parse("2026-11-27T22:00:00", &rc);
	ok(rc == PCS_EDATA, "a missing offset is rejected");
	parse("2026-11-27T24:00:00Z", &rc);
	ok(rc == PCS_EDATA, "hour 24 is rejected");
	parse("99999999999999999999", &rc);
	ok(rc == PCS_EDATA, "Unix seconds out of range");
	parse("12abc", &rc);
	ok(rc == PCS_EDATA, "garbage");
	rc = pcs_time_parse("x", 1, &d, &err);
	ok(rc == PCS_EDATA && strcmp(err.msg, "not a timestamp: \"x\"") == 0, "message names the value");

	pcs_time_format(1795816800, buf, sizeof buf);
	is_str(buf, "2026-11-27T22:00:00Z", "format");
	pcs_time_format(-1, buf, sizeof buf);
	is_str(buf, "1969-12-31T23:59:59Z", "format before 1970");
	for (int64_t t = -100000000; t < 4000000000; t += 97654321) {
		int64_t back;
		pcs_time_format(t, buf, sizeof buf);
		pcs_time_parse(buf, strlen(buf), &back, &err);
		if (back != t) {
			ok(0, "round trip of %lld", (long long)t);
			break;
		}
	}
	ok(1, "format and parse round-trip across 1966-2096");

	ok(pcs_duration_parse("30s", &d, &err) == 0 && d == 30, "30s");
	ok(pcs_duration_parse("5m", &d, &err) == 0 && d == 300, "5m");
	ok(pcs_duration_parse("1h30m", &d, &err) == 0 && d == 5400, "1h30m");
	ok(pcs_duration_parse("7d", &d, &err) == 0 && d == 604800, "7d");
	ok(pcs_duration_parse("2w", &d, &err) == 0 && d == 1209600, "2w");
	ok(pcs_duration_parse("90", &d, &err) == 0 && d == 90, "plain seconds");
	ok(pcs_duration_parse("0", &d, &err) == PCS_EUSAGE, "zero is rejected");
	ok(pcs_duration_parse("5x", &d, &err) == PCS_EUSAGE, "unknown unit");
	ok(pcs_duration_parse("m", &d, &err) == PCS_EUSAGE, "unit without number");
	ok(pcs_duration_parse("1m30", &d, &err) == PCS_EUSAGE, "trailing bare number after a unit");
	ok(pcs_duration_parse("", &d, &err) == PCS_EUSAGE, "empty");
	ok(pcs_duration_parse("99999999999999d", &d, &err) == PCS_EUSAGE, "too long");
	return tap_done();
}
