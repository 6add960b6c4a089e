/* Unit tests: CSV and NDJSON readers, the writer. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

struct got {
	int rc[8];
	long line[8];
	char a[8][32], b[8][32];
	int n;
	pcs_error last;
};

/* Read text through a reader wanting columns a and b. */
static struct got
read_all(const char *text, int format)
{
	struct got g;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	pcs_reader *r = pcs_reader_new(fp, format);
	int ha = pcs_reader_column(r, "a"), hb = pcs_reader_column(r, "b"), rc;

	memset(&g, 0, sizeof g);
	while (g.n < 8 && (rc = pcs_reader_next(r, &g.last)) != 0) {
		const char *a = pcs_reader_field(r, ha), *b = pcs_reader_field(r, hb);
		g.rc[g.n] = rc;
		g.line[g.n] = rc > 0 ? pcs_reader_line(r) : g.last.line;
		snprintf(g.a[g.n], sizeof g.a[0], "%s", rc > 0 && a ? a : "(none)");
		snprintf(g.b[g.n], sizeof g.b[0], "%s", rc > 0 && b ? b : "(none)");
		g.n++;
		if (rc < 0 && g.last.code != PCS_EDATA)
			break;
	}
	pcs_reader_free(r);
	fclose(fp);
	return g;
}

static char *
write_rows(int format, int header)
{
	static const char *const cols[] = { "name", "v", "t" };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	pcs_writer *w = pcs_writer_new(fp, format, header, 0, cols, 3);

	pcs_writer_str(w, "a,\"b\"");
	pcs_writer_num(w, 1.5);
	pcs_writer_time(w, 0);
	pcs_writer_end_row(w);
	pcs_writer_str(w, "plain");
	pcs_writer_num(w, NAN);
	pcs_writer_int(w, -3);
	pcs_writer_end_row(w);
	pcs_writer_finish(w);
	pcs_writer_free(w);
	fclose(fp);
	return buf;
}

int
main(void)
{
	struct got g;
	char *out;

	g = read_all("a,b\n1,2\n3,4\n", PCS_FMT_AUTO);
	ok(g.n == 2 && strcmp(g.a[1], "3") == 0 && strcmp(g.b[1], "4") == 0, "plain CSV");
	ok(g.line[0] == 2 && g.line[1] == 3, "line numbers count the header");
	g = read_all("x,b,a\n1,2,3\n", PCS_FMT_AUTO);
	ok(g.n == 1 && strcmp(g.a[0], "3") == 0, "columns found by name, others ignored");
	g = read_all("a\n1\n", PCS_FMT_AUTO);
	ok(g.n == 1 && strcmp(g.b[0], "(none)") == 0, "a column the header lacks reads as absent");
	g = read_all("a,b\r\n1,2\r\n\r\n3,4\r\n", PCS_FMT_AUTO);
	ok(g.n == 2 && strcmp(g.a[1], "3") == 0 && g.line[1] == 4, "CRLF, blank line skipped, line kept");
	g = read_all("a,b\r1,2\r3,4\r", PCS_FMT_AUTO);
	ok(g.n == 2 && strcmp(g.b[1], "4") == 0 && g.line[1] == 3, "bare CR line ends");
	g = read_all("\xEF\xBB\xBF" "a,b\n1,2\n", PCS_FMT_AUTO);
	ok(g.n == 1 && strcmp(g.a[0], "1") == 0, "byte-order mark skipped");
	g = read_all("a,b\n\"x,\"\"y\"\"\nz\",2\n5,6\n", PCS_FMT_AUTO);
	ok(g.n == 2 && strcmp(g.a[0], "x,\"y\"\nz") == 0 && g.line[1] == 4,
	   "quoted field with comma, doubled quotes and a newline");
	g = read_all("a,b\n1,2,3\n4,5\n", PCS_FMT_AUTO);
	ok(g.n == 2 && g.rc[0] == -1 && g.last.code == 0 && g.rc[1] == 1 && g.line[0] == 2,
	   "wrong field count is a skippable error on its line");
	g = read_all("a,b\n1,2\n\"3,4\n5,6\n", PCS_FMT_AUTO);
	ok(g.n == 2 && g.rc[1] == -1 && g.last.code == PCS_ESYNTAX && g.line[1] == 3 &&
	   strcmp(g.last.msg, "unterminated quoted field") == 0,
	   "unterminated quote: fatal, reported on the line it opens");
	g = read_all("a,b\n1,2\"x\n", PCS_FMT_AUTO);
	ok(g.rc[0] == -1 && g.last.code == PCS_ESYNTAX, "a quote inside an unquoted field");
	g = read_all("", PCS_FMT_AUTO);
	ok(g.n == 0, "empty input: no records");
	g = read_all("a,b\n", PCS_FMT_AUTO);
	ok(g.n == 0, "header only: no records");

	g = read_all("{\"a\":1,\"b\":\"x\"}\n\n{\"a\":2.5}\r\n", PCS_FMT_AUTO);
	ok(g.n == 2 && strcmp(g.a[0], "1") == 0 && strcmp(g.b[0], "x") == 0 &&
	   strcmp(g.a[1], "2.5") == 0 && strcmp(g.b[1], "(none)") == 0 && g.line[1] == 3,
	   "NDJSON: numbers and strings, blank line skipped, CRLF");
	g = read_all("{\"a\":1}\n[1]\n{\"a\":\n{\"a\":null}\n", PCS_FMT_AUTO);
	ok(g.n == 4 && g.rc[1] == -1 && strcmp(g.last.msg, "not a JSON object") != 0 &&
	   g.line[1] == 2 && g.line[2] == 3 && strcmp(g.a[3], "(none)") == 0,
	   "NDJSON: non-object and bad JSON are skippable errors; null is absent");
	g = read_all("{\"a\":1}\r{\"a\":2}\r\r{\"a\":3}", PCS_FMT_AUTO);
	ok(g.n == 3 && strcmp(g.a[2], "3") == 0 && g.line[2] == 4,
	   "NDJSON: bare CR line ends, no final line end");
	g = read_all("  {\"a\":7}\n", PCS_FMT_AUTO);
	ok(g.n == 1 && strcmp(g.a[0], "7") == 0, "NDJSON detected after leading blanks");
	g = read_all("{\"a\":7}\n", PCS_FMT_CSV);
	ok(g.n == 1 && g.rc[0] == -1 && g.last.code == PCS_ESYNTAX,
	   "forced CSV: a JSON line is malformed CSV");

	out = write_rows(PCS_FMT_CSV, 1);
	is_str(out, "name,v,t\n\"a,\"\"b\"\"\",1.5,1970-01-01T00:00:00Z\nplain,,-3\n",
	       "CSV writer: header, quoting only when needed, NaN empty");
	free(out);
	out = write_rows(PCS_FMT_NDJSON, 1);
	is_str(out, "{\"name\":\"a,\\\"b\\\"\",\"v\":1.5,\"t\":\"1970-01-01T00:00:00Z\"}\n"
	       "{\"name\":\"plain\",\"v\":null,\"t\":-3}\n", "NDJSON writer");
	free(out);

	{
		double v;
		ok(pcs_parse_double(" 2.5 ", &v) == 0 && v == 2.5, "number with blanks");
		ok(pcs_parse_double("nan", &v) != 0 && pcs_parse_double("inf", &v) != 0 &&
		   pcs_parse_double("1e999", &v) != 0 && pcs_parse_double("", &v) != 0 &&
		   pcs_parse_double("1x", &v) != 0, "NaN, Inf, overflow, empty and junk rejected");
		ok(pcs_parse_double("0x10", &v) != 0, "hexadecimal rejected");
	}
	return tap_done();
}
