/* cli.h — what every pcs program shares: the common options, messages in
 * one format, exit statuses, and a stdout that is checked before exit. */
#ifndef PCS_CLI_H
#define PCS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "pcs.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

/* Long options every tool takes; values above 256 are long-only. */
enum {
	OPT_NO_HEADER = 1000, OPT_SKIP_BAD, OPT_EPOCH, OPT_MAX_KEYS,
	OPT_TOOL = 1100   /* first value free for a tool's own options */
};

#define CLI_COMMON_LONGOPTS \
	{ "input-format", required_argument, NULL, 'i' }, \
	{ "output-format", required_argument, NULL, 'o' }, \
	{ "no-header", no_argument, NULL, OPT_NO_HEADER }, \
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD }, \
	{ "epoch", no_argument, NULL, OPT_EPOCH }, \
	{ "max-keys", required_argument, NULL, OPT_MAX_KEYS }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }
/* A tool's short options start with ':' (missing arguments reported as ':')
 * and end with these. */
#define CLI_COMMON_SHORTOPTS "i:o:hV"

/* The default of --max-keys: the keys (series, groups or POPs) a tool holds
 * in memory before it stops with an error. */
#define CLI_MAX_KEYS 100000

struct cli_common {
	int input_format, output_format, header, skip_bad, epoch;
	size_t max_keys;   /* 0: no limit */
	long bad_rows;
};

/* Set the program name, ignore SIGPIPE (a closed pipe on stdout is seen as
 * EPIPE), and hold a closed descriptor 0, 1 or 2 with /dev/null opened the
 * other way, so that no file the program opens takes its place and writing
 * on a closed stdout fails with EBADF. */
void cli_init(const char *name, const char *usage_line, const char *help_text, char **argv);
void cli_common_defaults(struct cli_common *c);
/* Handle a common option; returns 1 if it was one (or exits for -h/-V). */
int cli_common_option(struct cli_common *c, int opt, const char *arg);

void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void cli_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "pcs-x: FILE:LINE: column 'c': message" */
void cli_format_error(char *buf, size_t size, const char *file, const pcs_error *err);
/* A bad row: die, or with --skip-bad warn and count it. */
void cli_bad_row(struct cli_common *c, const char *file, const pcs_error *err);
/* Die naming the first of the n required columns that a CSV header lacks
 * (a header without a required column is fatal, not a bad row). */
void cli_require_columns(const pcs_reader *r, const char *file, const int *handles, size_t n);
/* At the end: the --skip-bad summary line. */
void cli_bad_summary(const struct cli_common *c);

/* How a tool reads one kind of stream (see cli_read_stream). */
struct cli_stream {
	int format;      /* PCS_FMT_AUTO, or a forced format */
	int fatal;       /* a configuration file: any bad row, or no file, ends the run */
	/* declare the columns; put the required ones' handles in req (at most
	 * 16) and return their count */
	size_t (*columns)(pcs_reader *r, void *ctx, int *req);
	/* one well-formed record: 0, or an error code with err set */
	int (*record)(pcs_reader *r, const char *name, void *ctx, pcs_error *err);
};

/* Read the operand path ("-": stdin) through spec: a header that lacks a
 * required column is fatal; bad rows go to cli_bad_row (or end the run when
 * spec->fatal); running out of memory ends the run.  Returns 0, or -1 when
 * the file could not be opened or read (reported; the caller goes on with
 * the next operand and exits 1 at the end). */
int cli_read_stream(struct cli_common *c, const char *path, const struct cli_stream *spec,
                    void *ctx);

/* A number option's value in an interval, or a usage error naming the
 * option and the interval; open_lo/open_hi exclude the ends. */
double cli_number_arg(const char *opt, const char *arg, double lo, int open_lo, double hi,
                      int open_hi);

/* A duration option's value, or a usage error naming the option; "0" is
 * accepted when zero_ok. */
int64_t cli_duration_arg(const char *opt, const char *arg, int zero_ok);

/* -H resolved at the data's step (pcs_horizons_resolve): the count, or
 * the end of the run (a usage error past PCS_MAX_HORIZONS, out of memory). */
size_t cli_horizons(const pcs_horizon_spec *spec, int64_t step, size_t **steps);

/* Open an operand ("-" is stdin); on failure warn and return NULL. */
FILE *cli_open(const char *path, const char **display_name);
void cli_close(FILE *fp);

/* A write on stdout failed: quiet exit 0 for a closed pipe, else status 1. */
void cli_write_failed(void) __attribute__((noreturn));
/* Flush and check stdout before exiting with status. */
void cli_exit(int status) __attribute__((noreturn));

/* ---- options shared by several tools ---- */

/* The shadow planner's, for pcs-shadow-plan and pcs-replay. */
enum { OPT_WARM_AT = 1050, OPT_RELEASE, OPT_ACTIVATE, OPT_RESERVE, OPT_ACT_WITHIN, OPT_COOLDOWN,
       OPT_DWELL, OPT_DRAIN };

#define CLI_SHADOW_LONGOPTS \
	{ "warm-at", required_argument, NULL, OPT_WARM_AT }, \
	{ "release-below", required_argument, NULL, OPT_RELEASE }, \
	{ "activate-on", required_argument, NULL, OPT_ACTIVATE }, \
	{ "reserve", required_argument, NULL, OPT_RESERVE }, \
	{ "activate-within", required_argument, NULL, OPT_ACT_WITHIN }, \
	{ "cooldown", required_argument, NULL, OPT_COOLDOWN }, \
	{ "min-dwell", required_argument, NULL, OPT_DWELL }, \
	{ "drain", required_argument, NULL, OPT_DRAIN }

#define CLI_SHADOW_HELP \
	"      --warm-at X           risk at which shadows are warmed (default 0.1)\n" \
	"      --release-below X     risk under which the cooldown runs (default 0.02)\n" \
	"      --activate-on Q       p50 or p99: the demand tested (default p50)\n" \
	"      --reserve F           activation threshold = capacity x (1 - F) (default 0.1)\n" \
	"      --activate-within DUR activate only for demand this close (default: any horizon)\n" \
	"      --cooldown DUR        time below release-below before scaling down (default 10m)\n" \
	"      --min-dwell DUR       least time in warm or active (default 5m)\n" \
	"      --drain DUR           time in draining before off (default 2m)\n"

/* Call fn(ctx, i) for every i < n on up to jobs threads (jobs <= 1: in
 * order on this one); fn must only touch item i's own data. */
void cli_parallel(size_t n, int jobs, void (*fn)(void *ctx, size_t i), void *ctx);

/* A -j option's value (1 to 256), or a usage error. */
int cli_jobs_arg(const char *arg);

/* Read a model file, or end the run naming the file (and the line and
 * column of bad JSON). */
void cli_read_model(const char *path, struct pcs_model_file *mf);

/* The quantile columns of a forecast stream (p followed by a percentage,
 * as pcs_level_name writes it), once the first record shows the names:
 * at most max of them, ascending by level; returns their count. */
size_t cli_find_quantiles(pcs_reader *r, double *level, int *col, size_t max);

/* Take opt if it is one of the shadow planner's: 1, else 0. */
int cli_shadow_option(struct pcs_shadow_params *p, int opt, const char *arg);
/* After the options: release-below must be below warm-at. */
void cli_shadow_check(const struct pcs_shadow_params *p);

/* --model: auto, ets or snaive. */
int cli_model_arg(const char *arg);

/* ---- streams shared by several tools (cli_streams.c) ---- */

/* Read a metrics stream (ts, group, rps, region?) into st; 0, or -1 when
 * path cannot be read (reported).  rps is a rate (>= 0) unless
 * any_sign: an anomaly score needs no rate, and a metric such as a
 * temperature or a difference goes below zero. */
int cli_read_metrics(struct cli_common *c, const char *path, pcs_store *st, int any_sign);

/* Plan rows as pcs-shadow-plan writes them. */
extern const char *const cli_plan_cols[];
extern const size_t cli_plan_ncols;
int cli_write_action(pcs_writer *w, const struct pcs_action *a);

/* Read a topology file (pcs-formats(5)); configuration, so any bad row ends
 * the program with status 1 naming the file, line and column. */
pcs_topology *cli_load_topology(struct cli_common *c, const char *path);

/* Read an events file (start, end, name, group?, lift?); configuration, so
 * any bad row ends the program with status 1 naming the file, line and
 * column. */
pcs_events *cli_load_events(struct cli_common *c, const char *path);

#endif
