/* tool_harness.c — runs a pcs tool's main() once per fuzz input, in process.
 *
 * The fuzz input is written to a temporary file that stands for "@INPUT@"
 * in the harness's argv; stdout goes to /dev/null (reopened once).  The
 * tools end every run, good or bad, with exit(); the harness is linked
 * with -Wl,--wrap=exit so that __wrap_exit longjmps back here instead.
 * What the run left behind when it exited is then released: the link also
 * wraps malloc, calloc, realloc, free, strdup, strndup, fopen, fdopen,
 * fclose, open, close, mkstemp, opendir and closedir, and jansson allocates
 * through the same wrappers, so that every heap block, FILE, descriptor and
 * directory the run's own code (or jansson) took and did not give back is
 * freed, closed or unlocked after the longjmp.  Without that the process
 * would grow by the store and the reader of every input that ends in an
 * error, and a state file's lock left held would make every later run fail.
 *
 * Only the thread that runs the tool is tracked (the harness argv keep the
 * tools on one thread with -j 1); blocks that libcsv, GSL and libc allocate
 * on their own are not seen and may still leak when a run exits early,
 * which is why the binary harnesses run with -detect_leaks=0 (fuzz/fuzz.mk).
 * The library harnesses keep leak detection on.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <jansson.h>

#include "pcs.h"
#include "tool_harness.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);
int __real_fclose(FILE *fp);
int __real_open(const char *path, int flags, ...);
int __real_close(int fd);
int __real_mkstemp(char *tmpl);
DIR *__real_opendir(const char *path);
int __real_closedir(DIR *d);
void __real_exit(int status) __attribute__((noreturn));

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);
int __wrap_fclose(FILE *fp);
int __wrap_open(const char *path, int flags, ...);
int __wrap_close(int fd);
int __wrap_mkstemp(char *tmpl);
DIR *__wrap_opendir(const char *path);
int __wrap_closedir(DIR *d);
void __wrap_exit(int status) __attribute__((noreturn));

/* Tracking is on only in the thread running the tool, between the call and
 * its exit. */
static __thread int armed;
static jmp_buf back;
static int exit_status;

/* ---- the set of live heap blocks: open addressing, linear probing ---- */

static void **slots;
static size_t nslots, nlive;

static size_t
slot_of(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p;
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h & (nslots - 1);
}

static void set_add(void *p);

static void
set_grow(void)
{
	void **old = slots;
	size_t oldn = nslots;

	nslots = nslots ? nslots * 2 : 1024;
	slots = __real_calloc(nslots, sizeof *slots);
	if (slots == NULL)
		abort();
	nlive = 0;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			set_add(old[i]);
	__real_free(old);
}

static void
set_add(void *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (2 * (nlive + 1) > nslots)
		set_grow();
	for (i = slot_of(p); slots[i]; i = (i + 1) & (nslots - 1))
		if (slots[i] == p)
			return;
	slots[i] = p;
	nlive++;
}

/* Remove p; 1 if it was there. */
static int
set_remove(void *p)
{
	size_t i, j;

	if (p == NULL || nslots == 0)
		return 0;
	for (i = slot_of(p); slots[i] != p; i = (i + 1) & (nslots - 1))
		if (slots[i] == NULL)
			return 0;
	slots[i] = NULL;
	nlive--;
	/* backward shift: move later members of the run into the hole */
	for (j = (i + 1) & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1)) {
		size_t k = slot_of(slots[j]);
		/* slots[j] may move to i if i lies cyclically in [k, j) */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			slots[i] = slots[j];
			slots[j] = NULL;
			i = j;
		}
	}
	return 1;
}

/* ---- heap wrappers ---- */

void *
__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);
	if (armed)
		set_add(p);
	return p;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);
	if (armed)
		set_add(p);
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	int tracked = armed && (p == NULL || set_remove(p));
	void *q = __real_realloc(p, n);

	if (tracked) {
		/* a failed realloc leaves p as it was */
		set_add(q ? q : (n ? p : NULL));
	}
	return q;
}

void
__wrap_free(void *p)
{
	if (armed)
		set_remove(p);
	__real_free(p);
}

char *
__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *
__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* jansson allocates through these (json_set_alloc_funcs) */
static void *
json_malloc(size_t n)
{
	return __wrap_malloc(n);
}

static void
json_free(void *p)
{
	__wrap_free(p);
}

/* ---- files, descriptors, directories ---- */

#define MAX_OPEN 256
static FILE *files[MAX_OPEN];
static int fds[MAX_OPEN];
static DIR *dirs[MAX_OPEN];
static size_t nfiles, nfds, ndirs;

static void
ptr_add(void **arr, size_t *n, void *p)
{
	if (p && *n < MAX_OPEN)
		arr[(*n)++] = p;
}

static void
ptr_remove(void **arr, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i] == p) {
			arr[i] = arr[--*n];
			return;
		}
}

static void
fd_add(int fd)
{
	if (fd >= 0 && nfds < MAX_OPEN)
		fds[nfds++] = fd;
}

static void
fd_remove(int fd)
{
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] == fd) {
			fds[i] = fds[--nfds];
			return;
		}
}

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	FILE *fp = __real_fopen(path, mode);
	if (armed)
		ptr_add((void **)files, &nfiles, fp);
	return fp;
}

FILE *
__wrap_fdopen(int fd, const char *mode)
{
	FILE *fp = __real_fdopen(fd, mode);
	if (armed && fp) {
		fd_remove(fd);   /* the FILE owns it now */
		ptr_add((void **)files, &nfiles, fp);
	}
	return fp;
}

int
__wrap_fclose(FILE *fp)
{
	if (armed)
		ptr_remove((void **)files, &nfiles, fp);
	return __real_fclose(fp);
}

int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	if (flags & O_CREAT) {   /* (no O_TMPFILE in pcs) */
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	fd = __real_open(path, flags, mode);
	if (armed)
		fd_add(fd);
	return fd;
}

int
__wrap_close(int fd)
{
	if (armed)
		fd_remove(fd);
	return __real_close(fd);
}

int
__wrap_mkstemp(char *tmpl)
{
	int fd = __real_mkstemp(tmpl);
	if (armed)
		fd_add(fd);
	return fd;
}

DIR *
__wrap_opendir(const char *path)
{
	DIR *d = __real_opendir(path);
	if (armed)
		ptr_add((void **)dirs, &ndirs, d);
	return d;
}

int
__wrap_closedir(DIR *d)
{
	if (armed)
		ptr_remove((void **)dirs, &ndirs, d);
	return __real_closedir(d);
}

/* ---- the harness's budget ---- */

/* A run's cost grows with the time its samples span over the step, not with
 * the input's size: three rows a year apart at one-second spacing make
 * pcs-replay simulate 31 million ticks.  Such a history is legal (up to
 * PCS_SERIES_MAX_SLOTS), but a fuzzer that spends minutes on one input
 * finds nothing else, so the harnesses refuse series longer than this, as
 * -max_len refuses long inputs.  (The link wraps pcs_store_series.) */
#define FUZZ_MAX_SLOTS 50000

int __real_pcs_store_series(pcs_store *st, size_t key, int64_t step, pcs_series *out,
                            pcs_error *err);
int __wrap_pcs_store_series(pcs_store *st, size_t key, int64_t step, pcs_series *out,
                            pcs_error *err);

int
__wrap_pcs_store_series(pcs_store *st, size_t key, int64_t step, pcs_series *out, pcs_error *err)
{
	int rc = __real_pcs_store_series(st, key, step, out, err);

	if (rc == 0 && out->n > FUZZ_MAX_SLOTS) {
		pcs_series_free(out);
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "fuzz harness: more than %d slots",
		                     FUZZ_MAX_SLOTS);
	}
	return rc;
}

/* ---- exit ---- */

void
__wrap_exit(int status)
{
	if (armed) {
		armed = 0;
		exit_status = status;
		longjmp(back, 1);
	}
	__real_exit(status);
}

/* Release what the run left: its files first (their buffers are heap
 * blocks libc owns), then descriptors, directories and heap blocks. */
static void
release_all(void)
{
	while (nfiles > 0)
		__real_fclose(files[--nfiles]);
	while (ndirs > 0)
		__real_closedir(dirs[--ndirs]);
	while (nfds > 0)
		__real_close(fds[--nfds]);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i]) {
			__real_free(slots[i]);
			slots[i] = NULL;
		}
	nlive = 0;
}

/* ---- the driver ---- */

/* No leak check at the end either (the same reason as -detect_leaks=0:
 * libcsv's and GSL's blocks of runs that exited early are lost on purpose);
 * this also holds when a crash is reproduced by hand. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static char input_path[4096];
static const char *root;

static void
remove_input(void)
{
	if (input_path[0])
		unlink(input_path);
}

static void
init(void)
{
	const char *tmp = getenv("TMPDIR");

	if ((root = getenv("PCS_FUZZ_ROOT")) == NULL)
		root = FUZZ_ROOT;
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	json_set_alloc_funcs(json_malloc, json_free);
	snprintf(input_path, sizeof input_path, "%s/pcs-fuzz-input.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = __real_mkstemp(input_path);
	if (fd < 0) {
		perror(input_path);
		abort();
	}
	__real_close(fd);
	atexit(remove_input);
}

int
fuzz_tool_run(fuzz_tool_main main_fn, const char *const *argv, const uint8_t *data, size_t size)
{
	static int ready;
	static char *args[64];
	static char *owned[64];
	size_t argc = 0;
	FILE *fp;

	if (!ready) {
		init();
		ready = 1;
	}
	if ((fp = __real_fopen(input_path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (__real_fclose(fp) != 0)
		abort();

	/* the argv, fresh each run: getopt may permute it */
	for (; argc < 63 && argv[argc]; argc++) {
		const char *a = argv[argc];
		if (strcmp(a, "@INPUT@") == 0) {
			args[argc] = input_path;
		} else if (strncmp(a, "@ROOT@/", 7) == 0) {
			if (owned[argc] == NULL) {
				size_t n = strlen(root) + strlen(a) + 1;
				owned[argc] = __real_malloc(n);
				snprintf(owned[argc], n, "%s/%s", root, a + 7);
			}
			args[argc] = owned[argc];
		} else {
			args[argc] = (char *)a;
		}
	}
	args[argc] = NULL;

	optind = 0;   /* a full getopt reset (glibc) */
	optarg = NULL;
	if (setjmp(back) == 0) {
		armed = 1;
		exit_status = main_fn((int)argc, args);
		armed = 0;
	}
	release_all();
	clearerr(stdout);
	(void)exit_status;
	return 0;
}
