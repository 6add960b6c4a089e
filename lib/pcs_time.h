/* pcs_time.h — timestamps and durations.
 *
 * Timestamps are whole Unix seconds (int64_t).  Input is RFC 3339
 * ("2026-11-27T22:00:00Z", "2026-11-27 23:00:00.5+01:00"; fractions of a
 * second are truncated), an RFC 3339 full-date alone ("2026-11-27", midnight
 * UTC, for daily data), or an integer count of Unix seconds.  Output is
 * RFC 3339 UTC.  Durations are "30s", "5m", "1h", "7d", "2w", sums such as
 * "1h30m", or plain seconds.
 */
#ifndef PCS_TIME_H
#define PCS_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"

/* Earliest and latest accepted instants: 0001-01-01 and 9999-12-31T23:59:59Z. */
#define PCS_TIME_MIN INT64_C(-62135596800)
#define PCS_TIME_MAX INT64_C(253402300799)

/* Parse len bytes of s.  Returns 0, or PCS_EDATA with err->msg set. */
int pcs_time_parse(const char *s, size_t len, int64_t *out, pcs_error *err);

/* Write t as RFC 3339 UTC into buf (at least 21 bytes); returns the length. */
size_t pcs_time_format(int64_t t, char *buf, size_t size);

/* Parse a positive duration; returns 0, or PCS_EUSAGE with err->msg set. */
int pcs_duration_parse(const char *s, int64_t *secs, pcs_error *err);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t pcs_days_from_civil(int64_t y, unsigned m, unsigned d);
void pcs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
