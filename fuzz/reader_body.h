/* reader_body.h — the body of fuzz_csv_reader.c and fuzz_ndjson_reader.c:
 * the fuzz input through pcs_reader (lib/pcs_io.h) over fmemopen(3), with
 * the format given by FUZZ_READER_FORMAT.  It declares the columns the
 * tools ask for, one more after the first record (as pcs-risk does for its
 * quantile columns), reads every record to the end (going on after
 * skippable data errors, as --skip-bad does), and touches every field: as
 * text, as a number and as a time, and every name the stream has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const wanted[] = { "ts", "group", "region", "rps", "pop", "capacity_rps" };
#define NWANTED (sizeof wanted / sizeof wanted[0])

static volatile size_t sink;

static void
touch(pcs_reader *r, int h)
{
	const char *s, *text;
	double v;
	int64_t t;
	pcs_error err;

	if ((s = pcs_reader_field(r, h)) != NULL)
		sink += strlen(s);
	(void)pcs_reader_column_name(r, h);
	(void)pcs_reader_has_column(r, h);
	if (pcs_field_text(r, h, 0, &text, &err) == 0)
		sink += strlen(text);
	if (pcs_field_double(r, h, 0, 0, 1e300, &v, &err) == 0)
		sink += v > 1;
	if (pcs_field_time(r, h, 0, &t, &err) == 0)
		sink += t > 0;
	sink += strlen(err.msg) < sizeof err.msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp;
	pcs_reader *r;
	pcs_error err;
	int h[NWANTED + 1], late = -1, rc;
	size_t records = 0;

	if (size == 0)
		return 0;   /* fmemopen(3) wants a buffer */
	if ((fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	if ((r = pcs_reader_new(fp, FUZZ_READER_FORMAT)) == NULL)
		abort();
	for (size_t i = 0; i < NWANTED; i++)
		if ((h[i] = pcs_reader_column(r, wanted[i])) < 0)
			abort();
	while ((rc = pcs_reader_next(r, &err)) != 0) {
		const char **names;
		size_t n;

		if (rc < 0) {
			sink += strlen(err.msg) + (size_t)err.line;
			if (err.code != PCS_EDATA)
				break;
			continue;
		}
		if (records++ == 0 && (late = pcs_reader_column(r, "p50")) < 0)
			abort();
		for (size_t i = 0; i < NWANTED; i++)
			touch(r, h[i]);
		touch(r, late);
		n = pcs_reader_names(r, &names);
		for (size_t i = 0; i < n; i++)
			sink += strlen(names[i]);
		sink += (size_t)pcs_reader_line(r) + (size_t)pcs_reader_format(r);
	}
	pcs_reader_free(r);
	fclose(fp);
	return 0;
}
