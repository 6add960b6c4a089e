/* pcs_numfmt.h — number formatting without printf, byte for byte as printf.
 *
 * The writers print every number, and glibc's printf("%.10g") costs about
 * half a microsecond (multi-precision arithmetic on every call): it was
 * most of `pcs-forecast --score`'s time.  These routines give the same
 * bytes as the printf conversion they name, for every input.
 */
#ifndef PCS_NUMFMT_H
#define PCS_NUMFMT_H

#include <stddef.h>

/* Longest text of pcs_format_g and pcs_format_int, with the NUL. */
#define PCS_NUMFMT_MAX 32

/* snprintf(buf, PCS_NUMFMT_MAX, "%.*g", prec, v) for 1 <= prec <= 17 and any
 * double (NaN and infinities included); returns the length written.  buf
 * holds PCS_NUMFMT_MAX bytes, and those after the NUL may change.  Values
 * beyond the exact fast range (about 1e-20 to 1e25) go through snprintf. */
size_t pcs_format_g(char *buf, double v, int prec);

/* snprintf(buf, PCS_NUMFMT_MAX, "%lld", v); returns the length written.  buf
 * holds PCS_NUMFMT_MAX bytes, and those after the NUL may change. */
size_t pcs_format_int(char *buf, long long v);

#endif
