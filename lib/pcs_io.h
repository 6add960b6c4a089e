/* pcs_io.h — record streams: CSV (RFC 4180, via libcsv) and NDJSON (via
 * jansson), in and out.
 *
 * A reader pulls one record at a time from a FILE.  The format is detected
 * from the first non-blank byte ('{' means NDJSON) unless forced.  CSV: a
 * header row is required; LF, CRLF or bare CR end lines; a UTF-8 byte-order
 * mark is skipped; blank lines are skipped; a row with a different number of
 * fields than the header is a (skippable) data error.  NDJSON: one object per
 * line, "\r\n" accepted, blank lines skipped; string, number, boolean and
 * null values are all readable as text (null reads as absent).
 *
 * Callers declare the columns they want by name before the first record and
 * then fetch fields by the returned handle.  Columns a caller did not ask for
 * are ignored.
 */
#ifndef PCS_IO_H
#define PCS_IO_H

#include <stdint.h>
#include <stdio.h>

#include "pcs_error.h"

enum pcs_format { PCS_FMT_AUTO, PCS_FMT_CSV, PCS_FMT_NDJSON };

/* Limits that turn a pathological stream into an error instead of unbounded
 * memory, and that key buffers are sized from:
 * - a record (a CSV row, with the lines its quoted fields span, or an NDJSON
 *   line) longer than PCS_MAX_RECORD bytes ends the stream (PCS_ELIMIT);
 * - a text field read through pcs_field_text (names: group, region, POP,
 *   service, labels) longer than PCS_MAX_FIELD bytes is a bad row
 *   (PCS_EDATA). */
#define PCS_MAX_RECORD 1048576
#define PCS_MAX_FIELD 255

/* Parse "csv" or "ndjson"; returns -1 for anything else. */
int pcs_format_parse(const char *s);

typedef struct pcs_reader pcs_reader;

pcs_reader *pcs_reader_new(FILE *fp, int format);
void pcs_reader_free(pcs_reader *r);

/* Declare a wanted column; returns its handle (>= 0) or -1 on no memory.
 * Columns may be declared after reading has begun (say, once the header
 * shows which quantile columns there are). */
int pcs_reader_column(pcs_reader *r, const char *name);
const char *pcs_reader_column_name(const pcs_reader *r, int handle);

/* Read the next record.  Returns 1 when a record is ready, 0 at the end of
 * input, -1 on error with err filled: PCS_EDATA means the record is bad but
 * reading may go on (skip it), anything else ends the stream.  err->line is
 * the line the record starts on. */
int pcs_reader_next(pcs_reader *r, pcs_error *err);

/* The current record's field for a handle, NUL-terminated, or NULL when the
 * record has no such column (or, in NDJSON, the value is null).  Valid until
 * the next call of pcs_reader_next. */
const char *pcs_reader_field(pcs_reader *r, int handle);

/* The column names the stream has: the CSV header (once read), or the keys
 * of the current NDJSON object.  Valid until the next pcs_reader_next. */
size_t pcs_reader_names(pcs_reader *r, const char ***names);

/* Whether the stream can have the column: 1 yes, 0 no (the CSV header lacks
 * it), -1 not known (NDJSON, or no header read yet). */
int pcs_reader_has_column(const pcs_reader *r, int handle);

long pcs_reader_line(const pcs_reader *r);
int pcs_reader_format(const pcs_reader *r);

/* Writer: rows of typed fields in a fixed column order, CSV with an optional
 * header (quoted only when needed, LF line ends) or NDJSON (one compact object
 * per line).  Write errors are sticky and reported by pcs_writer_end_row and
 * pcs_writer_finish as PCS_EIO with errno preserved. */
typedef struct pcs_writer pcs_writer;

pcs_writer *pcs_writer_new(FILE *fp, int format, int header, int epoch,
                           const char *const *columns, size_t ncolumns);
void pcs_writer_free(pcs_writer *w);
void pcs_writer_str(pcs_writer *w, const char *s);
void pcs_writer_num(pcs_writer *w, double v);   /* NaN and Inf write as empty / null */
void pcs_writer_int(pcs_writer *w, long long v);
void pcs_writer_time(pcs_writer *w, int64_t t); /* RFC 3339 UTC, or Unix seconds with epoch */
int pcs_writer_end_row(pcs_writer *w);          /* 0, or -1 on a write error */
int pcs_writer_finish(pcs_writer *w);           /* flush; 0, or -1 on a write error */

/* Parse a finite double from a whole field; 0 or -1. */
int pcs_parse_double(const char *s, double *out);

/* Typed fields of the current record, with the standard messages
 * ("column 'rps': not a number: \"abc\"") and the record's line in err.
 * Each returns 0 with the value, PCS_ABSENT when an optional field is
 * absent or empty (the value untouched), or PCS_EDATA. */
#define PCS_ABSENT (-1)
int pcs_field_text(pcs_reader *r, int handle, int required, const char **out,
                   pcs_error *err);
int pcs_field_double(pcs_reader *r, int handle, int required, double lo, double hi,
                     double *out, pcs_error *err);
int pcs_field_time(pcs_reader *r, int handle, int required, int64_t *out,
                   pcs_error *err);

#endif
