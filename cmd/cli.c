/* cli.c — shared command-line plumbing for the pcs programs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *progname = "pcs";
static const char *usage = "";
static const char *help = "";
static char **args;

/* A standard descriptor the caller closed (">&-") is the next one open(2)
 * returns: the lock or the state file would become standard output, and the
 * output would go into it.  Hold each closed one with /dev/null opened the
 * other way, so that using it fails with EBADF as a closed one does. */
static void
hold_closed_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int held;
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		held = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (held < 0)
			exit(EXIT_DATA);
		if (held != fd) {
			dup2(held, fd);
			close(held);
		}
	}
}

void
cli_init(const char *name, const char *usage_line, const char *help_text, char **argv)
{
	hold_closed_std_fds();
	progname = name;
	usage = usage_line;
	help = help_text;
	args = argv;
	opterr = 0;   /* getopt's own messages name argv[0]; ours name the tool */
	signal(SIGPIPE, SIG_IGN);
}

void
cli_common_defaults(struct cli_common *c)
{
	memset(c, 0, sizeof *c);
	c->input_format = PCS_FMT_AUTO;
	c->output_format = PCS_FMT_CSV;
	c->header = 1;
	c->max_keys = CLI_MAX_KEYS;
}

int
cli_common_option(struct cli_common *c, int opt, const char *arg)
{
	switch (opt) {
	case 'i':
	case 'o': {
		int f = pcs_format_parse(arg);
		if (f < 0)
			cli_usage_error("-%c: unknown format '%s' (csv or ndjson)", opt, arg);
		if (opt == 'i')
			c->input_format = f;
		else
			c->output_format = f;
		return 1;
	}
	case OPT_NO_HEADER: c->header = 0; return 1;
	case OPT_SKIP_BAD: c->skip_bad = 1; return 1;
	case OPT_EPOCH: c->epoch = 1; return 1;
	case OPT_MAX_KEYS: {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v > SIZE_MAX)
			cli_usage_error("--max-keys: want a whole number (0: no limit): \"%s\"", arg);
		c->max_keys = (size_t)v;
		return 1;
	}
	case 'h':
		printf("usage: %s %s\n\n%s", progname, usage, help);
		cli_exit(0);
	case 'V':
		printf("%s %s\n", progname, PCS_VERSION);
		cli_exit(0);
	case ':':
	case '?': {
		/* a long option is named as written (up to any '='), a short one
		 * by its letter, which may be bundled with others */
		const char *word = args[optind - 1];
		int len = (int)strcspn(word, "=");
		const char *what = opt == ':' ? "needs an argument" : "is unknown";
		if (strncmp(word, "--", 2) == 0)
			cli_usage_error("option %.*s %s", len, word, what);
		cli_usage_error("option -%c %s", optopt, what);
	}
	}
	return 0;
}

void
cli_usage_error(const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		fprintf(stderr, "%s: ", progname);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "usage: %s %s\ntry '%s --help'\n", progname, usage, progname);
	exit(EXIT_USAGE);
}

void
cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_format_error(char *buf, size_t size, const char *file, const pcs_error *err)
{
	char where[64] = "";

	if (err->line > 0)
		snprintf(where, sizeof where, ":%ld", err->line);
	if (err->column[0])
		snprintf(buf, size, "%s%s: column '%s': %s", file, where, err->column, err->msg);
	else
		snprintf(buf, size, "%s%s: %s", file, where, err->msg);
}

void
cli_bad_row(struct cli_common *c, const char *file, const pcs_error *err)
{
	char msg[512];

	cli_format_error(msg, sizeof msg, file, err);
	if (!c->skip_bad || err->code != PCS_EDATA)
		cli_die(err->code == PCS_EUSAGE ? EXIT_USAGE : EXIT_DATA, "%s", msg);
	cli_warn("%s (skipped)", msg);
	c->bad_rows++;
}

void
cli_require_columns(const pcs_reader *r, const char *file, const int *handles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pcs_reader_has_column(r, handles[i]) == 0)
			cli_die(EXIT_DATA, "%s:1: missing column '%s'", file,
			        pcs_reader_column_name(r, handles[i]));
}

void
cli_bad_summary(const struct cli_common *c)
{
	if (c->bad_rows > 0)
		cli_warn("%ld bad row%s skipped", c->bad_rows, c->bad_rows == 1 ? "" : "s");
}

FILE *
cli_open(const char *path, const char **display_name)
{
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		*display_name = "<stdin>";
		return stdin;
	}
	*display_name = path;
	if ((fp = fopen(path, "r")) == NULL)
		cli_warn("%s: %s", path, strerror(errno));
	return fp;
}

void
cli_close(FILE *fp)
{
	if (fp != stdin)
		fclose(fp);
}

int
cli_read_stream(struct cli_common *c, const char *path, const struct cli_stream *spec, void *ctx)
{
	struct cli_common fatal;
	const char *name;
	FILE *fp = cli_open(path, &name);
	pcs_reader *r;
	pcs_error err;
	int req[16], rc, checked = 0, status = 0;
	size_t nreq;

	if (spec->fatal) {
		cli_common_defaults(&fatal);   /* no --skip-bad for configuration */
		fatal.max_keys = c->max_keys;
		c = &fatal;
	}
	if (fp == NULL) {
		if (spec->fatal)
			exit(EXIT_DATA);
		return -1;
	}
	if ((r = pcs_reader_new(fp, spec->format)) == NULL)
		cli_die(EXIT_DATA, "out of memory");
	nreq = spec->columns(r, ctx, req);
	while ((rc = pcs_reader_next(r, &err)) != 0) {
		if (!checked && pcs_reader_has_column(r, req[0]) >= 0) {
			cli_require_columns(r, name, req, nreq);
			checked = 1;
		}
		if (rc < 0 && err.code == PCS_EIO && !spec->fatal) {
			cli_warn("%s: %s", name, err.msg);
			status = -1;
			break;
		}
		if (rc > 0 && (rc = spec->record(r, name, ctx, &err)) == 0)
			continue;
		if (err.code == PCS_ENOMEM)
			cli_die(EXIT_DATA, "out of memory");
		cli_bad_row(c, name, &err);
	}
	if (!checked)
		cli_require_columns(r, name, req, nreq);   /* a header and no rows */
	pcs_reader_free(r);
	cli_close(fp);
	return status;
}

double
cli_number_arg(const char *opt, const char *arg, double lo, int open_lo, double hi, int open_hi)
{
	double v;

	if (pcs_parse_double(arg, &v) != 0 || v < lo || v > hi || (open_lo && v == lo) ||
	    (open_hi && v == hi))
		cli_usage_error("%s: want a number in %c%g, %g%c: \"%s\"", opt, open_lo ? '(' : '[', lo,
		                hi, open_hi ? ')' : ']', arg);
	return v;
}

int64_t
cli_duration_arg(const char *opt, const char *arg, int zero_ok)
{
	pcs_error err;
	int64_t v;

	if (zero_ok && strspn(arg, "0") == strlen(arg) && *arg)
		return 0;
	if (pcs_duration_parse(arg, &v, &err) != 0)
		cli_usage_error("%s: %s", opt, err.msg);
	return v;
}

size_t
cli_horizons(const pcs_horizon_spec *spec, int64_t step, size_t **steps)
{
	pcs_error err;
	size_t n = pcs_horizons_resolve(spec, step, steps, &err);

	if (n == 0 && err.code == PCS_ENOMEM)
		cli_die(EXIT_DATA, "out of memory");
	if (n == 0)
		cli_usage_error("-H: %s", err.msg);
	return n;
}

void
cli_write_failed(void)
{
	if (errno == EPIPE)
		exit(0);
	cli_die(EXIT_DATA, "write error: %s", strerror(errno));
}

void
cli_exit(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			exit(status);
		cli_die(EXIT_DATA, "write error: %s", strerror(errno ? errno : EIO));
	}
	exit(status);
}

int
cli_shadow_option(struct pcs_shadow_params *p, int opt, const char *arg)
{
	switch (opt) {
	case OPT_WARM_AT: p->warm_at = cli_number_arg("--warm-at", arg, 0, 1, 1, 0); break;
	case OPT_RELEASE: p->release_below = cli_number_arg("--release-below", arg, 0, 0, 1, 0); break;
	case OPT_RESERVE: p->reserve = cli_number_arg("--reserve", arg, 0, 0, 1, 1); break;
	case OPT_ACT_WITHIN: p->activate_within = cli_duration_arg("--activate-within", arg, 1); break;
	case OPT_COOLDOWN: p->cooldown = cli_duration_arg("--cooldown", arg, 1); break;
	case OPT_DWELL: p->min_dwell = cli_duration_arg("--min-dwell", arg, 1); break;
	case OPT_DRAIN: p->drain = cli_duration_arg("--drain", arg, 1); break;
	case OPT_ACTIVATE:
		if (strcmp(arg, "p50") == 0)
			p->activate_p99 = 0;
		else if (strcmp(arg, "p99") == 0)
			p->activate_p99 = 1;
		else
			cli_usage_error("--activate-on: want p50 or p99: \"%s\"", arg);
		break;
	default:
		return 0;
	}
	return 1;
}

void
cli_shadow_check(const struct pcs_shadow_params *p)
{
	if (!(p->release_below < p->warm_at))
		cli_usage_error("--release-below (%g) must be below --warm-at (%g)", p->release_below,
		                p->warm_at);
}

int
cli_model_arg(const char *arg)
{
	static const int kinds[] = { PCS_MODEL_SNAIVE, PCS_MODEL_ETS, PCS_MODEL_MSTL, PCS_MODEL_REG,
	                             PCS_MODEL_ENSEMBLE };

	if (strcmp(arg, "auto") == 0)
		return PCS_MODEL_AUTO;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(arg, pcs_model_name(kinds[i])) == 0)
			return kinds[i];
	cli_usage_error("--model: unknown model '%s' (auto, ensemble, ets, mstl, reg or snaive)", arg);
}

struct parallel {
	size_t n, next;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	pthread_mutex_t lock;
};

static void *
parallel_worker(void *arg)
{
	struct parallel *p = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

void
cli_parallel(size_t n, int jobs, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct parallel p = { n, 0, fn, ctx, PTHREAD_MUTEX_INITIALIZER };
	pthread_t threads[256];
	int started = 0;

	for (int t = 1; t < jobs && t < 256 && (size_t)t < n; t++) {
		if (pthread_create(&threads[t], NULL, parallel_worker, &p) != 0)
			break;
		started = t;
	}
	parallel_worker(&p);
	for (int t = 1; t <= started; t++)
		pthread_join(threads[t], NULL);
}

int
cli_jobs_arg(const char *arg)
{
	char *end;
	long j = strtol(arg, &end, 10);

	if (*end || end == arg || j < 1 || j > 256)
		cli_usage_error("-j: want a number of threads from 1 to 256: \"%s\"", arg);
	return (int)j;
}
