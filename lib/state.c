/* state.c — locked, atomic JSON state files (see pcs_state.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcs_state.h"

/* A writer's temporary file: "<path>" TMP_INFIX and six mkstemp(3)
 * characters, a name no one else would give a file. */
#define TMP_INFIX ".pcs-tmp."

/* Remove the temporary files of writers killed mid-write:
 * with the lock held, no writer is alive to own them. */
static void
remove_stale(const char *path)
{
	char *dcopy = strdup(path), *bcopy = strdup(path), *dir, *base;
	DIR *d;
	struct dirent *e;
	size_t blen;

	if (dcopy == NULL || bcopy == NULL)
		goto out;
	dir = dirname(dcopy);
	base = basename(bcopy);
	blen = strlen(base);
	if ((d = opendir(dir)) == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		char full[4096];
		if (strncmp(e->d_name, base, blen) != 0 ||
		    strncmp(e->d_name + blen, TMP_INFIX, strlen(TMP_INFIX)) != 0 ||
		    strlen(e->d_name) != blen + strlen(TMP_INFIX) + 6)
			continue;
		if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) < (int)sizeof full)
			unlink(full);
	}
	closedir(d);
out:
	free(dcopy);
	free(bcopy);
}

int
pcs_state_lock(const char *path, double wait_s, pcs_error *err)
{
	char lock[4096];
	int fd;
	long tries = 0, max_tries = (long)(wait_s * 10 + 0.5);

	if (snprintf(lock, sizeof lock, "%s.lock", path) >= (int)sizeof lock) {
		pcs_error_set(err, PCS_EIO, 0, NULL, "%s: path too long", path);
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		pcs_error_set(err, PCS_EIO, 0, NULL, "%s: %s", lock,
		              errno == ELOOP ? "is a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		struct timespec ts = { 0, 100000000 };
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pcs_error_set(err, PCS_EIO, 0, NULL, "%s: %s", lock, strerror(errno));
			close(fd);
			return -1;
		}
		if (tries >= max_tries) {
			pcs_error_set(err, PCS_EIO, 0, NULL,
			              "%s: locked by another run (waited %gs)", path, (double)tries / 10);
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
		tries++;
	}
	remove_stale(path);
	return fd;
}

void
pcs_state_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

int
pcs_state_read(const char *path, const char *what, json_t **out, pcs_error *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_error_t jerr;
	struct stat st;
	FILE *fp;

	*out = NULL;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s",
		                     errno == ELOOP ? "is a symbolic link (refused)" : strerror(errno));
	}
	/* a directory opens, and jansson would read it as an empty file */
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s", strerror(EISDIR));
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s", strerror(errno));
	}
	*out = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (*out == NULL)
		return pcs_error_set(err, PCS_EDATA, jerr.line, NULL, "not a valid %s: %s (column %d)",
		                     what, jerr.text, jerr.column);
	return 0;
}

int
pcs_state_check(const json_t *st, const char *format, int version, const char *tool,
                pcs_error *err)
{
	const json_t *v = json_object_get(st, "format");

	if (!json_is_object(st) || !json_is_string(v) || strcmp(json_string_value(v), format) != 0)
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "not a %s state file", tool);
	v = json_object_get(st, "version");
	if (!json_is_integer(v))
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "state file without a whole version number");
	if (json_integer_value(v) != version)
		return pcs_error_set(err, PCS_EDATA, 0, NULL,
		                     "state file version %lld, this %s reads version %d",
		                     (long long)json_integer_value(v), tool, version);
	return 0;
}

static int
fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

int
pcs_state_write(const char *path, const json_t *j, pcs_error *err)
{
	char tmp[4096], *text;
	size_t len, off = 0;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s" TMP_INFIX "XXXXXX", path) >= (int)sizeof tmp)
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s: path too long", path);
	if ((text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	len = strlen(text);
	text[len++] = '\n';   /* json_dumps leaves room: it ends in a NUL */
	if ((fd = mkstemp(tmp)) < 0) {
		free(text);
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s: %s", tmp, strerror(errno));
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(text);
	if (fsync_dir(path) != 0)
		return pcs_error_set(err, PCS_EIO, 0, NULL, "%s: fsync of its directory: %s", path,
		                     strerror(errno));
	return 0;
fail:
	pcs_error_set(err, PCS_EIO, 0, NULL, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(text);
	return err ? err->code : PCS_EIO;
}
