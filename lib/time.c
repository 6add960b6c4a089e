/* time.c — RFC 3339 and Unix-second timestamps, durations. */
#include <stdio.h>
#include <string.h>

#include "pcs_time.h"

/* Civil date <-> day count, after H. Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms" (days_from_civil / civil_from_days), valid for all years
 * of the proleptic Gregorian calendar. */
int64_t
pcs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
pcs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int
parse_epoch(const char *s, size_t len, int64_t *out, pcs_error *err)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;

	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		goto bad;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		if (v > PCS_TIME_MAX)
			goto range;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < PCS_TIME_MIN || v > PCS_TIME_MAX)
		goto range;
	*out = v;
	return 0;
bad:
	return pcs_error_set(err, PCS_EDATA, 0, NULL, "not a timestamp: \"%.*s\"",
	                     (int)(len > 64 ? 64 : len), s);
range:
	return pcs_error_set(err, PCS_EDATA, 0, NULL, "timestamp out of range: \"%.*s\"",
	                     (int)(len > 64 ? 64 : len), s);
}

/* RFC 3339 section 5.6 date-time; the "T" may be a space or a lower-case t
 * (section 5.6 NOTE), and the offset Z, z or +hh:mm / -hh:mm. */
int
pcs_time_parse(const char *s, size_t len, int64_t *out, pcs_error *err)
{
	int Y, M, D, h, mi, sec, oh = 0, om = 0;
	size_t i;
	int64_t t;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (len == 0)
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "empty timestamp");
	if (len == 10 && s[4] == '-' && s[7] == '-') {
		/* an RFC 3339 full-date alone: midnight UTC */
		if (digits(s, 4, &Y) || digits(s + 5, 2, &M) || digits(s + 8, 2, &D))
			goto bad;
		if (Y < 1 || M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M))
			goto range;
		*out = pcs_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400;
		return 0;
	}
	if (len < 19 || s[4] != '-')
		return parse_epoch(s, len, out, err);
	if (digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		goto bad;
	i = 19;
	if (i < len && s[i] == '.') {
		i++;
		if (i == len || s[i] < '0' || s[i] > '9')
			goto bad;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i == len)
		goto bad;  /* RFC 3339 requires an offset */
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		/* UTC */
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':' &&
	           !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om)) {
		if (oh > 23 || om > 59)
			goto range;
		if (s[i] == '-') {
			oh = -oh;
			om = -om;
		}
	} else {
		goto bad;
	}
	if (Y < 1 || M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) ||
	    h > 23 || mi > 59 || sec > 60)
		goto range;
	if (sec == 60)
		sec = 59;  /* a leap second is read as the second before it */
	t = pcs_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 +
	    h * 3600 + mi * 60 + sec - (oh * 3600 + om * 60);
	if (t < PCS_TIME_MIN || t > PCS_TIME_MAX)
		goto range;
	*out = t;
	return 0;
bad:
	return pcs_error_set(err, PCS_EDATA, 0, NULL, "not a timestamp: \"%.*s\"",
	                     (int)(len > 64 ? 64 : len), s);
range:
	return pcs_error_set(err, PCS_EDATA, 0, NULL, "timestamp out of range: \"%.*s\"",
	                     (int)(len > 64 ? 64 : len), s);
}

size_t
pcs_time_format(int64_t t, char *buf, size_t size)
{
	int64_t days = t / 86400, rem = t % 86400, y;
	unsigned m, d;
	int n;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	pcs_civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
	             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return n < 0 ? 0 : (size_t)n;
}

int
pcs_duration_parse(const char *s, int64_t *secs, pcs_error *err)
{
	const char *p = s;
	int64_t total = 0;
	int nunits = 0;

	if (*p == '\0')
		return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "empty duration");
	while (*p) {
		int64_t v = 0, mult;
		const char *start = p;

		while (*p >= '0' && *p <= '9') {
			if (v > INT64_C(1000000000000))
				return pcs_error_set(err, PCS_EUSAGE, 0, NULL,
				                     "duration too long: \"%s\"", s);
			v = v * 10 + (*p++ - '0');
		}
		if (p == start)
			goto bad;
		switch (*p) {
		case '\0': mult = 1; if (nunits) goto bad; break;
		case 's': mult = 1; p++; break;
		case 'm': mult = 60; p++; break;
		case 'h': mult = 3600; p++; break;
		case 'd': mult = 86400; p++; break;
		case 'w': mult = 604800; p++; break;
		default: goto bad;
		}
		nunits++;
		total += v * mult;
		if (total > INT64_C(100) * 365 * 86400)
			return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "duration too long: \"%s\"", s);
	}
	if (total <= 0)
		return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "duration must be positive: \"%s\"", s);
	*secs = total;
	return 0;
bad:
	return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "not a duration: \"%s\"", s);
}
