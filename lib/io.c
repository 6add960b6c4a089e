/* io.c — CSV and NDJSON record readers and writers. */
#include <csv.h>
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcs_io.h"
#include "pcs_numfmt.h"
#include "pcs_time.h"

#define CHUNK 65536

struct field { size_t off, len; };
struct row { size_t first, nfields; long line; };

struct pcs_reader {
	FILE *fp;
	int fd;               /* fp's descriptor, or -1 (a memory stream) */
	int format;
	int eof, started, failed;

	/* raw input buffer */
	char *buf;
	size_t pos, len, cap;
	size_t lf;            /* CSV: offset of the next LF from pos, len for none,
	                       * SIZE_MAX when not known (fill moves the text) */
	long line;            /* line number of the text at buf[pos] */

	/* wanted columns */
	char **names;
	int nnames;
	int *index;           /* CSV: field index of each handle in the header, or -1 */
	int have_header;
	size_t header_fields;
	char **header;        /* CSV header names */
	const char **keys;    /* NDJSON: the current object's keys */
	size_t keys_cap;

	/* CSV: libcsv parser and the queue of rows it has completed */
	struct csv_parser csv;
	long row_line;        /* line on which the open row began */
	size_t row_bytes;     /* bytes of the open row fed so far */
	char *arena;
	size_t arena_len, arena_cap;
	struct field *fields;
	size_t nfields, fields_cap;
	struct row *rows;
	size_t nrows, rows_cap, head;
	size_t row_start_field;
	int oom;

	/* current record */
	struct row cur;
	json_t *obj;
	char (*numbuf)[40];
};

int
pcs_format_parse(const char *s)
{
	if (strcmp(s, "csv") == 0)
		return PCS_FMT_CSV;
	if (strcmp(s, "ndjson") == 0)
		return PCS_FMT_NDJSON;
	return -1;
}

pcs_reader *
pcs_reader_new(FILE *fp, int format)
{
	pcs_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->fp = fp;
	r->fd = fileno(fp);
	r->format = format;
	r->line = 1;
	r->lf = SIZE_MAX;
	r->cap = CHUNK;
	r->buf = malloc(r->cap);
	if (r->buf == NULL || csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(r->buf);
		free(r);
		return NULL;
	}
	return r;
}

void
pcs_reader_free(pcs_reader *r)
{
	if (r == NULL)
		return;
	csv_free(&r->csv);
	for (int i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->index);
	if (r->header)
		for (size_t f = 0; f < r->header_fields; f++)
			free(r->header[f]);
	free(r->header);
	free(r->keys);
	free(r->numbuf);
	free(r->buf);
	free(r->arena);
	free(r->fields);
	free(r->rows);
	json_decref(r->obj);
	free(r);
}

int
pcs_reader_column(pcs_reader *r, const char *name)
{
	char **nn = realloc(r->names, (r->nnames + 1) * sizeof *nn);
	int *ni;
	char (*nb)[40];

	if (nn == NULL)
		return -1;
	r->names = nn;
	ni = realloc(r->index, (r->nnames + 1) * sizeof *ni);
	if (ni == NULL)
		return -1;
	r->index = ni;
	nb = realloc(r->numbuf, (r->nnames + 1) * sizeof *nb);
	if (nb == NULL)
		return -1;
	r->numbuf = nb;
	if ((r->names[r->nnames] = strdup(name)) == NULL)
		return -1;
	r->index[r->nnames] = -1;
	if (r->have_header)
		for (size_t f = 0; f < r->header_fields; f++)
			if (strcmp(r->header[f], name) == 0) {
				r->index[r->nnames] = (int)f;
				break;
			}
	return r->nnames++;
}

size_t
pcs_reader_names(pcs_reader *r, const char ***names)
{
	if (r->format == PCS_FMT_NDJSON) {
		const char *key;
		json_t *v;
		size_t n = 0;
		if (r->obj == NULL) {
			*names = NULL;
			return 0;
		}
		if (json_object_size(r->obj) > r->keys_cap) {
			const char **nk = realloc(r->keys, json_object_size(r->obj) * sizeof *nk);
			if (nk == NULL) {
				*names = NULL;
				return 0;
			}
			r->keys = nk;
			r->keys_cap = json_object_size(r->obj);
		}
		json_object_foreach(r->obj, key, v)
			r->keys[n++] = key;
		*names = r->keys;
		return n;
	}
	*names = (const char **)r->header;
	return r->have_header ? r->header_fields : 0;
}

const char *
pcs_reader_column_name(const pcs_reader *r, int handle)
{
	return handle >= 0 && handle < r->nnames ? r->names[handle] : "";
}

long
pcs_reader_line(const pcs_reader *r)
{
	return r->cur.line;
}

int
pcs_reader_format(const pcs_reader *r)
{
	return r->format;
}

int
pcs_reader_has_column(const pcs_reader *r, int handle)
{
	if (r->format != PCS_FMT_CSV || !r->have_header)
		return -1;
	return r->index[handle] >= 0;
}

/* Refill the buffer, keeping unread bytes.  Returns bytes added, 0 at EOF. */
static size_t
fill(pcs_reader *r, pcs_error *err)
{
	size_t n;

	if (r->eof)
		return 0;
	r->lf = SIZE_MAX;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == r->cap) {
		char *nb = realloc(r->buf, r->cap * 2);
		if (nb == NULL) {
			pcs_error_set(err, PCS_ENOMEM, r->line, NULL, "out of memory");
			return 0;
		}
		r->buf = nb;
		r->cap *= 2;
	}
	if (r->fd >= 0) {
		/* read(2) returns what a pipe holds now, where fread would wait for
		 * a whole buffer: a live stream is handled as it arrives */
		ssize_t got;
		do
			got = read(r->fd, r->buf + r->len, r->cap - r->len);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			pcs_error_set(err, PCS_EIO, 0, NULL, "read error: %s", strerror(errno));
			got = 0;
		}
		n = (size_t)got;
		if (n == 0)
			r->eof = 1;
	} else {
		n = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
		if (n == 0) {
			if (ferror(r->fp))
				pcs_error_set(err, PCS_EIO, 0, NULL, "read error: %s", strerror(errno));
			r->eof = 1;
		}
	}
	r->len += n;
	return n;
}

/* Decide the format from the first non-blank byte, skipping a UTF-8 BOM. */
static int
start(pcs_reader *r, pcs_error *err)
{
	r->started = 1;
	while (r->len - r->pos < 3 && fill(r, err) > 0)
		;
	if (err && err->code)
		return -1;
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
		r->pos += 3;
	if (r->format == PCS_FMT_AUTO) {
		for (;;) {
			size_t i = r->pos;
			while (i < r->len && strchr(" \t\r\n", r->buf[i]))
				i++;
			if (i < r->len) {
				r->format = r->buf[i] == '{' ? PCS_FMT_NDJSON : PCS_FMT_CSV;
				break;
			}
			if (fill(r, err) == 0) {
				r->format = PCS_FMT_CSV;
				break;
			}
		}
	}
	return err && err->code ? -1 : 0;
}

/* libcsv callbacks: append the field to the arena; close the row. */
static void
csv_field_cb(void *s, size_t len, void *data)
{
	pcs_reader *r = data;

	if (r->oom)
		return;
	if (r->arena_len + len + 1 > r->arena_cap) {
		size_t nc = r->arena_cap ? r->arena_cap : 4096;
		char *na;
		while (nc < r->arena_len + len + 1)
			nc *= 2;
		if ((na = realloc(r->arena, nc)) == NULL) {
			r->oom = 1;
			return;
		}
		r->arena = na;
		r->arena_cap = nc;
	}
	if (r->nfields == r->fields_cap) {
		size_t nc = r->fields_cap ? r->fields_cap * 2 : 64;
		struct field *nf = realloc(r->fields, nc * sizeof *nf);
		if (nf == NULL) {
			r->oom = 1;
			return;
		}
		r->fields = nf;
		r->fields_cap = nc;
	}
	if (len)
		memcpy(r->arena + r->arena_len, s, len);
	r->arena[r->arena_len + len] = '\0';
	r->fields[r->nfields].off = r->arena_len;
	r->fields[r->nfields].len = len;
	r->nfields++;
	r->arena_len += len + 1;
}

static void
csv_row_cb(int c, void *data)
{
	pcs_reader *r = data;

	(void)c;
	if (r->oom)
		return;
	if (r->nrows == r->rows_cap) {
		size_t nc = r->rows_cap ? r->rows_cap * 2 : 64;
		struct row *nr = realloc(r->rows, nc * sizeof *nr);
		if (nr == NULL) {
			r->oom = 1;
			return;
		}
		r->rows = nr;
		r->rows_cap = nc;
	}
	r->rows[r->nrows].first = r->row_start_field;
	r->rows[r->nrows].nfields = r->nfields - r->row_start_field;
	r->rows[r->nrows].line = r->row_line;
	r->nrows++;
	r->row_start_field = r->nfields;
}

/* A whole line without quotes, LEN bytes before its line end, read as libcsv
 * reads it from the start of a row (libcsv 3.0.3's csv_parse, strict mode):
 * fields split at commas with blanks (space, tab) trimmed at both ends, and
 * a line of blanks only is no row.  libcsv's loop costs a callback check
 * and a buffer check per byte; metrics lines are nearly always this kind. */
static void
csv_plain_line(pcs_reader *r, const char *p, size_t len)
{
	const char *end = p + len, *f = p;

	while (f < end && (*f == ' ' || *f == '\t'))
		f++;
	if (f == end)
		return;
	for (;;) {
		const char *comma = memchr(f, ',', (size_t)(end - f)), *e = comma ? comma : end;
		const char *b = f;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		csv_field_cb((void *)b, (size_t)(e - b), r);
		if (comma == NULL)
			break;
		f = comma + 1;
	}
	csv_row_cb('\n', r);
}

static int
record_too_long(long line, pcs_error *err)
{
	return pcs_error_set(err, PCS_ELIMIT, line, NULL,
	                     "a record longer than %d bytes (the limit)", PCS_MAX_RECORD);
}

/* Feed libcsv one physical line at a time so that every row knows the line
 * it began on (libcsv itself does not count lines).  A CR at the end of the
 * buffer waits for the next read to tell CRLF from a bare CR. */
static int
csv_feed(pcs_reader *r, pcs_error *err)
{
	for (;;) {
		char *p = r->buf + r->pos, *end = r->buf + r->len, *eol = NULL;
		size_t n;
		int newline = 0;

		if (p == end) {
			if (fill(r, err) == 0) {
				if (err && err->code)
					return -1;
				if (csv_fini(&r->csv, csv_field_cb, csv_row_cb, r) != 0)
					return pcs_error_set(err, PCS_ESYNTAX, r->row_line, NULL,
					                     "unterminated quoted field");
				return r->oom ? pcs_error_set(err, PCS_ENOMEM, r->line, NULL,
				                              "out of memory") : 0;
			}
			continue;
		}
		/* the first CR or LF: memchr for each beats a loop over the bytes;
		 * the next LF is remembered so that a file of bare CRs is not
		 * scanned to the end of the buffer for every line */
		if (r->lf == SIZE_MAX || r->lf < r->pos) {
			char *lf = memchr(p, '\n', (size_t)(end - p));
			r->lf = lf ? (size_t)(lf - r->buf) : r->len;
		}
		if ((eol = memchr(p, '\r', r->lf - r->pos)) == NULL && r->lf < r->len)
			eol = r->buf + r->lf;
		if (eol == NULL) {
			n = (size_t)(end - p);
		} else if (*eol == '\r' && eol + 1 == end && !r->eof) {
			if (eol > p) {
				n = (size_t)(eol - p);   /* feed up to the CR, decide later */
			} else {
				if (fill(r, err) == 0 && err && err->code)
					return -1;
				continue;
			}
		} else {
			n = (size_t)(eol - p) + 1;
			if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
				n++;
			newline = 1;
		}
		if (r->csv.pstate == 0 && !(n == 1 && newline) &&
		    !(n == 2 && newline && p[0] == '\r')) {
			r->row_line = r->line;   /* a new row begins on this line */
			r->row_bytes = 0;
		}
		/* libcsv buffers the open field: bound it before it grows */
		if ((r->row_bytes += n) > PCS_MAX_RECORD)
			return record_too_long(r->row_line, err);
		if (newline && r->csv.pstate == 0 && memchr(p, '"', n) == NULL)
			csv_plain_line(r, p, (size_t)(eol - p));
		else if (csv_parse(&r->csv, p, n, csv_field_cb, csv_row_cb, r) != n)
			return pcs_error_set(err, PCS_ESYNTAX, r->line, NULL,
			                     "malformed quoted field");
		if (r->oom)
			return pcs_error_set(err, PCS_ENOMEM, r->line, NULL, "out of memory");
		r->pos += n;
		if (newline)
			r->line++;
		if (r->head < r->nrows)
			return 0;
	}
}

static int
read_header(pcs_reader *r, struct row *h)
{
	if ((r->header = calloc(h->nfields ? h->nfields : 1, sizeof *r->header)) == NULL)
		return -1;
	for (size_t f = 0; f < h->nfields; f++)
		if ((r->header[f] = strdup(r->arena + r->fields[h->first + f].off)) == NULL)
			return -1;
	for (int i = 0; i < r->nnames; i++) {
		r->index[i] = -1;
		for (size_t f = 0; f < h->nfields; f++)
			if (strcmp(r->arena + r->fields[h->first + f].off, r->names[i]) == 0) {
				r->index[i] = (int)f;
				break;
			}
	}
	r->header_fields = h->nfields;
	r->have_header = 1;
	return 0;
}

static int
csv_next(pcs_reader *r, pcs_error *err)
{
	for (;;) {
		if (r->head == r->nrows) {
			/* the queue is drained: recycle its memory, then parse more */
			size_t keep = r->nfields - r->row_start_field;
			if (keep == 0) {
				r->arena_len = 0;
				r->nfields = 0;
			} else if (r->row_start_field > 0) {
				/* the open row's fields stay where they are */
				memmove(r->fields, r->fields + r->row_start_field, keep * sizeof *r->fields);
				r->nfields = keep;
			}
			r->row_start_field = r->nfields;
			r->nrows = r->head = 0;
			if (csv_feed(r, err) != 0)
				return -1;
			if (r->head == r->nrows)
				return 0;
		}
		r->cur = r->rows[r->head++];
		if (!r->have_header) {
			if (read_header(r, &r->cur) != 0)
				return pcs_error_set(err, PCS_ENOMEM, r->cur.line, NULL, "out of memory"), -1;
			continue;
		}
		if (r->cur.nfields != r->header_fields) {
			pcs_error_set(err, PCS_EDATA, r->cur.line, NULL,
			              "expected %zu fields, found %zu", r->header_fields,
			              r->cur.nfields);
			return -1;
		}
		return 1;
	}
}

static int
ndjson_next(pcs_reader *r, pcs_error *err)
{
	json_error_t jerr;

	json_decref(r->obj);
	r->obj = NULL;
	for (;;) {
		char *p = r->buf + r->pos, *end = r->buf + r->len, *nl = NULL;
		size_t n, m, skip;
		int blank = 1;

		for (char *q = p; q < end; q++)
			if (*q == '\n' || *q == '\r') {
				nl = q;
				break;
			}
		if ((size_t)((nl ? nl : end) - p) > PCS_MAX_RECORD)
			return record_too_long(r->line, err), -1;
		/* no line end yet, or a CR that may be the first half of CRLF */
		if ((nl == NULL || (*nl == '\r' && nl + 1 == end)) && !r->eof) {
			if (fill(r, err) == 0 && err && err->code)
				return -1;
			continue;
		}
		if (p == end)
			return 0;
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		skip = nl == NULL ? 0 : (*nl == '\r' && nl + 1 < end && nl[1] == '\n') ? 2 : 1;
		r->pos += n + skip;
		r->cur.line = r->line++;
		m = n;
		for (size_t i = 0; i < m; i++)
			if (!strchr(" \t", p[i])) {
				blank = 0;
				break;
			}
		if (blank)
			continue;
		r->obj = json_loadb(p, m, JSON_DECODE_ANY, &jerr);
		if (r->obj == NULL)
			return pcs_error_set(err, PCS_EDATA, r->cur.line, NULL,
			                     "not JSON: %s (column %d)", jerr.text, jerr.column), -1;
		if (!json_is_object(r->obj)) {
			json_decref(r->obj);
			r->obj = NULL;
			return pcs_error_set(err, PCS_EDATA, r->cur.line, NULL,
			                     "not a JSON object"), -1;
		}
		return 1;
	}
}

int
pcs_reader_next(pcs_reader *r, pcs_error *err)
{
	pcs_error_clear(err);
	if (r->failed)
		return 0;
	if (!r->started && start(r, err) != 0) {
		r->failed = 1;
		return -1;
	}
	int rc = r->format == PCS_FMT_NDJSON ? ndjson_next(r, err) : csv_next(r, err);
	if (rc < 0 && err && err->code != PCS_EDATA)
		r->failed = 1;
	return rc;
}

const char *
pcs_reader_field(pcs_reader *r, int handle)
{
	json_t *v;

	if (handle < 0 || handle >= r->nnames)
		return NULL;
	if (r->format != PCS_FMT_NDJSON) {
		int i = r->index[handle];
		if (i < 0 || (size_t)i >= r->cur.nfields)
			return NULL;
		return r->arena + r->fields[r->cur.first + (size_t)i].off;
	}
	v = r->obj ? json_object_get(r->obj, r->names[handle]) : NULL;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(r->numbuf[handle], sizeof r->numbuf[handle], "%lld",
		         (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(r->numbuf[handle], sizeof r->numbuf[handle], "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(r->numbuf[handle], sizeof r->numbuf[handle], "%s",
		         json_is_true(v) ? "true" : "false");
	else
		snprintf(r->numbuf[handle], sizeof r->numbuf[handle], "%s",
		         json_is_object(v) ? "{object}" : "[array]");
	return r->numbuf[handle];
}

/* A plain decimal ([+-]digits[.digits], blanks after) of at most 19 digits
 * whose integer w is at most 2^53 and whose fraction has at most 22 digits
 * is w or w / 10^f rounded once, both operands exact: strtod's correctly
 * rounded result (Clinger, "How to Read Floating Point Numbers Accurately",
 * PLDI 1990, the fast path).  Returns 0 for any other text, which strtod
 * then reads; strtod's multi-precision path was a tenth of --score. */
static int
parse_plain_decimal(const char *s, double *out)
{
	static const double p10[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	uint64_t w = 0;
	int neg = 0, ndig = 0, frac = -1;
	double v;

#if FLT_EVAL_METHOD != 0
	return 0;   /* extended precision would round twice */
#endif
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++ndig > 19)
				return 0;
			w = w * 10 + (uint64_t)(*s - '0');
			if (frac >= 0)
				frac++;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0' || ndig == 0 || w > (UINT64_C(1) << 53) || frac > 22)
		return 0;
	v = frac > 0 ? (double)w / p10[frac] : (double)w;
	*out = neg ? -v : v;
	return 1;
}

int
pcs_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (parse_plain_decimal(s, out))
		return 0;
	if (*s == '\0' || strpbrk(s, "xX") != NULL)
		return -1;   /* no hexadecimal: a rate is written in decimal */
	errno = 0;
	v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return -1;
	*out = v;
	return 0;
}

int
pcs_field_text(pcs_reader *r, int handle, int required, const char **out, pcs_error *err)
{
	const char *v = pcs_reader_field(r, handle);

	if (v == NULL || *v == '\0') {
		if (!required)
			return PCS_ABSENT;
		return pcs_error_set(err, PCS_EDATA, r->cur.line, r->names[handle],
		                     v == NULL ? "missing" : "empty");
	}
	if (strlen(v) > PCS_MAX_FIELD)
		return pcs_error_set(err, PCS_EDATA, r->cur.line, r->names[handle],
		                     "longer than %d bytes (the limit)", PCS_MAX_FIELD);
	*out = v;
	return 0;
}

int
pcs_field_double(pcs_reader *r, int handle, int required, double lo, double hi,
                 double *out, pcs_error *err)
{
	const char *v;
	int rc = pcs_field_text(r, handle, required, &v, err);
	double x;

	if (rc != 0)
		return rc;
	if (pcs_parse_double(v, &x) != 0) {
		char *end;
		double raw = strtod(v, &end);
		return pcs_error_set(err, PCS_EDATA, r->cur.line, r->names[handle], "%s: \"%.64s\"",
		                     end != v && *end == '\0' && !isfinite(raw) && !strpbrk(v, "xX") ?
		                     "not a finite number" : "not a number", v);
	}
	if (x < lo && lo == 0)
		return pcs_error_set(err, PCS_EDATA, r->cur.line, r->names[handle],
		                     "negative value: \"%.64s\"", v);
	if (x < lo || x > hi)
		return pcs_error_set(err, PCS_EDATA, r->cur.line, r->names[handle],
		                     "out of range [%g, %g]: \"%.64s\"", lo, hi, v);
	*out = x;
	return 0;
}

int
pcs_field_time(pcs_reader *r, int handle, int required, int64_t *out, pcs_error *err)
{
	const char *v;
	int rc = pcs_field_text(r, handle, required, &v, err);

	if (rc != 0)
		return rc;
	if (pcs_time_parse(v, strlen(v), out, err) != 0) {
		err->line = r->cur.line;
		snprintf(err->column, sizeof err->column, "%s", r->names[handle]);
		return err->code;
	}
	return 0;
}

/* ---- writer ---- */

struct pcs_writer {
	FILE *fp;
	int format, epoch, failed;
	const char *const *columns;
	size_t ncolumns, col;
	char *line;
	size_t len, cap;
};

/* Room in the line for n more bytes (and the NUL the number formatters
 * write after theirs): 0, or -1 with w->failed set. */
static int
reserve(pcs_writer *w, size_t n)
{
	size_t nc = w->cap ? w->cap : 256;
	char *nl;

	if (w->len + n + 1 <= w->cap)
		return 0;
	while (nc < w->len + n + 1)
		nc *= 2;
	if ((nl = realloc(w->line, nc)) == NULL) {
		w->failed = ENOMEM;
		return -1;
	}
	w->line = nl;
	w->cap = nc;
	return 0;
}

static void
put(pcs_writer *w, const char *s, size_t n)
{
	if (reserve(w, n) != 0)
		return;
	memcpy(w->line + w->len, s, n);
	w->len += n;
}

static void
put_json_string(pcs_writer *w, const char *s)
{
	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(w, esc, 6);
		} else {
			put(w, s, 1);
		}
	}
	put(w, "\"", 1);
}

static void
put_csv_field(pcs_writer *w, const char *s)
{
	size_t n = 0;
	int special = 0;

	/* one pass for the length and the bytes that need quotes (the names
	 * written on every row are short: cheaper than strlen and strpbrk) */
	for (; s[n]; n++)
		special |= s[n] == ',' || s[n] == '"' || s[n] == '\r' || s[n] == '\n';
	if (!special && !(n > 0 && (s[0] == ' ' || s[n - 1] == ' '))) {
		put(w, s, n);
		return;
	}
	put(w, "\"", 1);
	for (; *s; s++) {
		put(w, s, 1);
		if (*s == '"')
			put(w, "\"", 1);  /* RFC 4180: a quote inside is doubled */
	}
	put(w, "\"", 1);
}

/* Start the next field: separator, and the key in NDJSON. */
static void
begin_field(pcs_writer *w)
{
	if (w->format == PCS_FMT_NDJSON) {
		put(w, w->col == 0 ? "{" : ",", 1);
		put_json_string(w, w->columns[w->col]);
		put(w, ":", 1);
	} else if (w->col > 0 && reserve(w, 1) == 0) {
		w->line[w->len++] = ',';
	}
	w->col++;
}

pcs_writer *
pcs_writer_new(FILE *fp, int format, int header, int epoch,
               const char *const *columns, size_t ncolumns)
{
	pcs_writer *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->fp = fp;
	w->format = format == PCS_FMT_NDJSON ? PCS_FMT_NDJSON : PCS_FMT_CSV;
	w->epoch = epoch;
	w->columns = columns;
	w->ncolumns = ncolumns;
	if (header && w->format == PCS_FMT_CSV) {
		for (size_t i = 0; i < ncolumns; i++) {
			if (i)
				put(w, ",", 1);
			put_csv_field(w, columns[i]);
		}
		put(w, "\n", 1);
		if (!w->failed && fwrite(w->line, 1, w->len, fp) != w->len)
			w->failed = errno ? errno : EIO;
		w->len = 0;
	}
	return w;
}

void
pcs_writer_free(pcs_writer *w)
{
	if (w == NULL)
		return;
	free(w->line);
	free(w);
}

void
pcs_writer_str(pcs_writer *w, const char *s)
{
	begin_field(w);
	if (w->format == PCS_FMT_NDJSON)
		put_json_string(w, s);
	else
		put_csv_field(w, s);
}

void
pcs_writer_num(pcs_writer *w, double v)
{
	begin_field(w);
	if (!isfinite(v)) {
		if (w->format == PCS_FMT_NDJSON)
			put(w, "null", 4);
		return;
	}
	if (v == 0)
		v = 0;  /* no "-0" */
	if (reserve(w, PCS_NUMFMT_MAX) == 0)
		w->len += pcs_format_g(w->line + w->len, v, 10);   /* "%.10g" */
}

void
pcs_writer_int(pcs_writer *w, long long v)
{
	begin_field(w);
	if (reserve(w, PCS_NUMFMT_MAX) == 0)
		w->len += pcs_format_int(w->line + w->len, v);
}

void
pcs_writer_time(pcs_writer *w, int64_t t)
{
	char b[40];

	if (w->epoch) {
		pcs_writer_int(w, (long long)t);
		return;
	}
	pcs_time_format(t, b, sizeof b);
	pcs_writer_str(w, b);
}

int
pcs_writer_end_row(pcs_writer *w)
{
	put(w, w->format == PCS_FMT_NDJSON ? "}\n" : "\n", w->format == PCS_FMT_NDJSON ? 2 : 1);
	if (!w->failed && fwrite(w->line, 1, w->len, w->fp) != w->len)
		w->failed = errno ? errno : EIO;
	w->len = 0;
	w->col = 0;
	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	return 0;
}

int
pcs_writer_finish(pcs_writer *w)
{
	if (!w->failed && fflush(w->fp) != 0)
		w->failed = errno ? errno : EIO;
	if (!w->failed && ferror(w->fp))
		w->failed = EIO;
	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	return 0;
}
