/* pcs_state.h — state files: JSON, locked, written atomically.
 *
 * A state file is read and written under an exclusive flock(2) on
 * "<path>.lock", so overlapping runs (cron) take turns.  It is written to a
 * temporary file "<path>.pcs-tmp.XXXXXX" made by mkstemp(3) in the same
 * directory (mode 0600),
 * fsync'd, renamed over the old one, and the directory fsync'd: a crash at
 * any point leaves either the old or the new file, never a torn one; the
 * temporary files of writers killed mid-write are removed by the next run
 * that takes the lock.  A symbolic link at the path is refused, not
 * followed.
 */
#ifndef PCS_STATE_H
#define PCS_STATE_H

#include <jansson.h>

#include "pcs_error.h"

/* Take the lock, waiting up to wait_s seconds (0: try once).  Returns a
 * descriptor >= 0, or -1 with err set (PCS_EIO; "locked by another run"
 * when the wait ran out). */
int pcs_state_lock(const char *path, double wait_s, pcs_error *err);
void pcs_state_unlock(int fd);

/* Read and parse; a missing file gives *out = NULL and 0.  Errors name the
 * line and column of bad JSON, not the path (the caller adds it); what
 * names the kind of file ("state file", "model file"). */
int pcs_state_read(const char *path, const char *what, json_t **out, pcs_error *err);

/* Check that st is a JSON object whose "format" is format and whose
 * "version" is version (tool names the reader in the message). */
int pcs_state_check(const json_t *st, const char *format, int version, const char *tool,
                    pcs_error *err);

/* Replace the file atomically with j (compact JSON and a newline). */
int pcs_state_write(const char *path, const json_t *j, pcs_error *err);

#endif
