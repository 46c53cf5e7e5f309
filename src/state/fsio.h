/*
 * fsio: the durable file primitives every state file is written with.
 *
 * Owns: atomic replacement of a small file (temp name in the same
 * directory, fsync, rename, fsync of the directory), creation of directory
 * chains with their entries made durable, appending whole lines to a JSONL
 * file, and reading a small file whole. Leaves to others: what the bytes
 * mean (watermark.c, history.c, ...), and locking (lock.c): two writers of
 * the same file must be serialised by the caller.
 *
 * Invariants:
 *  - After fsio_write_atomic returns 0 the new content is durable; after a
 *    failure, or a crash at any point, the target holds either its old
 *    content or the new one, never a mix. Temp files are removed on every
 *    failure path this process sees; a crash may leave one behind, named
 *    `.{name}.tmp.{pid}.{random}`, which fsio_is_temp_name() recognises.
 *  - A JSONL file is a sequence of lines each ending in '\n'. A final line
 *    without '\n' is a torn write: readers ignore it and fsio_append_line
 *    truncates it before appending.
 *
 * Test hook: struct fsio_ops replaces write(2) and fsync(2) so a test can
 * inject ENOSPC or EIO at any byte. Every function takes the ops pointer
 * first; NULL means the real system calls. There is no global hook.
 */
#ifndef SL_STATE_FSIO_H
#define SL_STATE_FSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct buf;
struct sl_err;

struct fsio_ops {
    /* Like write(2): bytes written or -1 with errno set. */
    ssize_t (*write)(void *arg, int fd, const void *p, size_t n);
    /* Like fsync(2): 0 or -1 with errno set. */
    int (*fsync)(void *arg, int fd);
    void *arg;
};

/*
 * Replace the file at path with data[0..len), atomically and durably (see
 * the invariants above). The file is created with mode 0644 & ~umask.
 * Returns 0; SL_ENOSPC / SL_EIO / SL_E* from errno with a message naming
 * path and, for a full volume, a hint; SL_ENOMEM. The directory must exist.
 */
int fsio_write_atomic(const struct fsio_ops *io, const char *path, const void *data, size_t len,
                      struct sl_err *err);

/*
 * Create path and every missing parent with mode (like mkdir -p), fsyncing
 * the parent of each directory it creates so the chain survives a crash.
 * An existing directory is success; an existing non-directory is SL_EEXIST.
 */
int fsio_mkdirs(const struct fsio_ops *io, const char *path, unsigned mode, struct sl_err *err);

/* fsync the directory dir (after a create, rename or unlink in it). */
int fsio_fsync_dir(const struct fsio_ops *io, const char *dir, struct sl_err *err);

/*
 * Append line (no '\n' inside; one is added) to the JSONL file at path,
 * creating it, then fsync. A torn tail left by an earlier crash is cut off
 * first. The line and its '\n' go out in one write; if that write fails
 * part-way the file is truncated back, so the visible file never changes
 * unless the whole line landed. SL_EINVAL for a line holding '\n'.
 */
int fsio_append_line(const struct fsio_ops *io, const char *path, const char *line,
                     struct sl_err *err);

/*
 * Read the whole file at path into out (appended; out's limit bounds the
 * size). SL_ENOTFOUND when the file does not exist (no message is set then,
 * so callers can treat "missing" as a normal case), SL_ELIMIT when larger
 * than out's limit, SL_EIO / SL_E* otherwise.
 */
int fsio_read_file(const char *path, struct buf *out, struct sl_err *err);

/*
 * True when the base name of path is one of our temp names: it starts with
 * '.' and contains ".tmp." (fsio's own `.name.tmp.PID.RANDOM`), or it ends
 * in ".tmp" (the convention the sinks use for files being written).
 */
bool fsio_is_temp_name(const char *path);

#endif
