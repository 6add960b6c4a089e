/* pcs_error.h — errors as values.
 *
 * Library calls that can fail fill a pcs_error and return a nonzero code; they
 * never print or exit.  The program turns the error into text with the name of
 * the input, the line and, when known, the column.
 */
#ifndef PCS_ERROR_H
#define PCS_ERROR_H

#include <stddef.h>

enum pcs_status {
	PCS_OK = 0,
	PCS_EDATA,     /* bad input data: the caller may skip the row */
	PCS_ESYNTAX,   /* the stream itself is malformed: reading cannot go on */
	PCS_ENOMEM,
	PCS_EIO,
	PCS_EUSAGE,    /* a bad argument (duration, level list, ...) */
	PCS_ELIMIT     /* a documented limit was passed (--max-keys, record length):
	                * the run cannot go on, but the input is not lost memory */
};

typedef struct pcs_error {
	int code;              /* enum pcs_status */
	long line;             /* 1-based input line, 0 when not about a line */
	char column[64];       /* column name, "" when not about a column */
	char msg[256];
} pcs_error;

/* Set err (if not NULL) and return code.  fmt is printf-style. */
int pcs_error_set(pcs_error *err, int code, long line, const char *column,
                  const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* No error: code 0, line 0, empty column and message. */
void pcs_error_clear(pcs_error *err);

#endif
