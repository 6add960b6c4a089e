/* tmpfile.h — for the library harnesses that load from a path: one
 * temporary file per process, rewritten with each input. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_path[4096];

static void
fuzz_path_remove(void)
{
	unlink(fuzz_path);
}

/* Write len bytes of data to the process's temporary file; its path. */
static const char *
fuzz_write_temp(const void *data, size_t len)
{
	FILE *fp;

	if (fuzz_path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		int fd;
		snprintf(fuzz_path, sizeof fuzz_path, "%s/pcs-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if ((fd = mkstemp(fuzz_path)) < 0)
			abort();
		close(fd);
		atexit(fuzz_path_remove);
	}
	if ((fp = fopen(fuzz_path, "wb")) == NULL || (len && fwrite(data, 1, len, fp) != len) ||
	    fclose(fp) != 0)
		abort();
	return fuzz_path;
}
