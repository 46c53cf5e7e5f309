/*
 * fsio: durable file primitives. See fsio.h for the contract.
 *
 * The order of operations is the whole point of this file: data is fsynced
 * before the rename that publishes it, and the directory is fsynced after
 * the rename so the new name survives a power cut (ext4 and XFS do not
 * promise that without it). Every system call that can be interrupted is
 * retried on EINTR; short writes are continued.
 */
#include "state/fsio.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TAIL_CHUNK 4096

static ssize_t io_write(const struct fsio_ops *io, int fd, const void *p, size_t n)
{
    if (io && io->write)
        return io->write(io->arg, fd, p, n);
    return write(fd, p, n);
}

static int io_fsync(const struct fsio_ops *io, int fd)
{
    if (io && io->fsync)
        return io->fsync(io->arg, fd);
    return fsync(fd);
}

/* Write all n bytes, continuing short writes; -1 with errno on failure. */
static int write_all(const struct fsio_ops *io, int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = io_write(io, fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO; /* a regular file never accepts 0 of n > 0 bytes */
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fsync_retry(const struct fsio_ops *io, int fd)
{
    int r;
    do {
        r = io_fsync(io, fd);
    } while (r < 0 && errno == EINTR);
    return r;
}

/*
 * Fill err for a failed system call on path (the file the user knows),
 * with a hint for the failures a user can act on. Returns the SL_E* code.
 */
static int io_fail(struct sl_err *err, int errnum, const char *what, const char *path)
{
    int fresh = err && err->code == 0;
    int code = sl_err_from_errno(errnum);

    if (code == SL_ENOTFOUND || code == SL_EINVAL || code == SL_EBUSY)
        code = SL_EIO; /* a missing directory mid-write is an I/O failure here */
    sl_err_errno(err, code, errnum, "cannot %s \"%s\"", what, path);
    if (!fresh)
        return code;
    if (errnum == ENOSPC || errnum == EDQUOT)
        sl_err_hint(err,
                    "free space on the volume holding \"%s\", then run again; the previous "
                    "state is unchanged",
                    path);
    else if (errnum == EIO)
        sl_err_hint(err,
                    "the volume holding \"%s\" reported a hardware or filesystem error; "
                    "check the system log (dmesg) before running again",
                    path);
    else if (errnum == EACCES || errnum == EPERM || errnum == EROFS)
        sl_err_hint(err, "check that the user running sluice may write to \"%s\"", path);
    return code;
}

/* The directory part of path (caller owns), "." when there is none. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return sl_strdup(".");
    if (slash == path)
        return sl_strdup("/");
    return sl_strndup(path, (size_t)(slash - path));
}

/* `{dir}/.{base}.tmp.{pid}.{random}` (caller owns). */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dlen;
    uint64_t r = 0;
    struct buf b;

    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        /* Uniqueness, not secrecy, is needed: O_EXCL catches the rest. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)ts.tv_sec;
    }
    buf_init(&b, 0);
    if (buf_append(&b, path, dlen) != 0 ||
        buf_appendf(&b, ".%s.tmp.%ld.%016" PRIx64, base, (long)getpid(), r) != 0) {
        buf_free(&b);
        return NULL;
    }
    return (char *)buf_take(&b, NULL);
}

int fsio_fsync_dir(const struct fsio_ops *io, const char *dir, struct sl_err *err)
{
    int rc = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        rc = io_fail(err, errno, "open directory", dir);
        goto out;
    }
    /* Some filesystems cannot fsync a directory (EINVAL); their entries are
     * as durable as they will get, so that is not a failure. */
    if (fsync_retry(io, fd) < 0 && errno != EINVAL)
        rc = io_fail(err, errno, "fsync directory", dir);
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int fsio_write_atomic(const struct fsio_ops *io, const char *path, const void *data, size_t len,
                      struct sl_err *err)
{
    char *dir = dir_of(path);
    char *tmp = temp_name(path);
    int fd = -1, rc = 0;
    bool tmp_exists = false;

    if (!dir || !tmp) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory writing \"%s\"", path);
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = io_fail(err, errno, "create a temporary file next to", path);
        goto out;
    }
    tmp_exists = true;
    if (write_all(io, fd, data, len) < 0) {
        rc = io_fail(err, errno, "write", path);
        goto out;
    }
    if (fsync_retry(io, fd) < 0) {
        rc = io_fail(err, errno, "fsync", path);
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = io_fail(err, errno, "close", path);
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rc = io_fail(err, errno, "rename a temporary file over", path);
        goto out;
    }
    tmp_exists = false;
    /* From here the new content is visible; a failure means "not yet
     * durable", and the caller must not treat the write as committed. */
    rc = fsio_fsync_dir(io, dir, err);
out:
    if (fd >= 0)
        close(fd);
    if (tmp_exists)
        unlink(tmp);
    sl_free(dir);
    sl_free(tmp);
    return rc;
}

/* mkdir one level; 0 when it exists as a directory (created or not). */
static int mkdir_one(const struct fsio_ops *io, const char *p, unsigned mode, struct sl_err *err)
{
    struct stat st;
    char *parent = NULL;
    int rc = 0;

    if (mkdir(p, (mode_t)mode) == 0) {
        parent = dir_of(p);
        if (!parent)
            rc = sl_err_set(err, SL_ENOMEM, "out of memory creating \"%s\"", p);
        else
            rc = fsio_fsync_dir(io, parent, err);
    } else if (errno != EEXIST) {
        rc = io_fail(err, errno, "create directory", p);
    } else if (stat(p, &st) < 0) {
        rc = io_fail(err, errno, "stat", p);
    } else if (!S_ISDIR(st.st_mode)) {
        rc = sl_err_set(err, SL_EEXIST,
                        "cannot create directory \"%s\": a file of that name exists", p);
        sl_err_hint(err, "move the file away or choose another storage root");
    }
    sl_free(parent);
    return rc;
}

int fsio_mkdirs(const struct fsio_ops *io, const char *path, unsigned mode, struct sl_err *err)
{
    char *p = sl_strdup(path);
    size_t n;
    int rc = 0;

    if (!p) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory creating \"%s\"", path);
        goto out;
    }
    n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    for (size_t i = 1; rc == 0 && i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        if (p[i - 1] == '/')
            continue; /* "a//b" */
        p[i] = '\0';
        rc = mkdir_one(io, p, mode, err);
        if (i < n)
            p[i] = '/';
    }
out:
    sl_free(p);
    return rc;
}

/*
 * Cut a final line that lacks its '\n' (a write torn by a crash) so the
 * next append starts on a line of its own. *size is the size afterwards.
 */
static int cut_torn_tail(int fd, const char *path, off_t *size, struct sl_err *err)
{
    struct stat st;
    char chunk[TAIL_CHUNK];
    off_t end, keep = 0;
    int rc = 0;

    if (fstat(fd, &st) < 0) {
        rc = io_fail(err, errno, "stat", path);
        goto out;
    }
    *size = end = st.st_size;
    while (end > 0) {
        size_t n = end > TAIL_CHUNK ? TAIL_CHUNK : (size_t)end;
        ssize_t r = pread(fd, chunk, n, end - (off_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)n) {
            rc = io_fail(err, r < 0 ? errno : EIO, "read", path);
            goto out;
        }
        char *nl = memrchr(chunk, '\n', n);
        if (nl) {
            keep = end - (off_t)n + (nl - chunk) + 1;
            break;
        }
        end -= (off_t)n;
    }
    if (keep == *size)
        goto out;
    if (ftruncate(fd, keep) < 0) {
        rc = io_fail(err, errno, "truncate the torn last line of", path);
        goto out;
    }
    sl_log_warn(path, "removed a torn last line (%lld bytes) left by an interrupted write",
                (long long)(*size - keep));
    *size = keep;
out:
    return rc;
}

int fsio_append_line(const struct fsio_ops *io, const char *path, const char *line,
                     struct sl_err *err)
{
    size_t n = strlen(line);
    char *rec = NULL, *dir = NULL;
    bool created = false;
    off_t size = 0;
    int fd = -1, rc = 0;

    if (memchr(line, '\n', n)) {
        rc = sl_err_set(err, SL_EINVAL, "cannot append to \"%s\": the line holds a newline", path);
        goto out;
    }
    fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        created = fd >= 0;
    }
    if (fd < 0) {
        rc = io_fail(err, errno, "open", path);
        goto out;
    }
    rc = cut_torn_tail(fd, path, &size, err);
    if (rc != 0)
        goto out;
    rec = sl_malloc(n + 1);
    if (!rec) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory appending to \"%s\"", path);
        goto out;
    }
    memcpy(rec, line, n);
    rec[n] = '\n';
    if (write_all(io, fd, rec, n + 1) < 0) {
        rc = io_fail(err, errno, "append to", path);
        /* Best effort: a failed cut leaves a torn tail readers skip. */
        if (ftruncate(fd, size) < 0)
            sl_log_warn(path, "could not remove a partly written line");
        goto out;
    }
    if (fsync_retry(io, fd) < 0) {
        rc = io_fail(err, errno, "fsync", path);
        goto out;
    }
    if (created) {
        dir = dir_of(path);
        rc = dir ? fsio_fsync_dir(io, dir, err)
                 : sl_err_set(err, SL_ENOMEM, "out of memory appending to \"%s\"", path);
    }
out:
    if (fd >= 0)
        close(fd);
    sl_free(rec);
    sl_free(dir);
    return rc;
}

int fsio_read_file(const char *path, struct buf *out, struct sl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0) {
        rc = errno == ENOENT ? SL_ENOTFOUND : io_fail(err, errno, "open", path);
        goto out;
    }
    for (;;) {
        ssize_t r;
        rc = buf_reserve(out, TAIL_CHUNK);
        if (rc == SL_ELIMIT && buf_reserve(out, 1) == 0)
            rc = 0; /* room for a final short read below the limit */
        if (rc != 0) {
            rc = sl_err_set(err, rc, "cannot read \"%s\": %s", path,
                            rc == SL_ELIMIT ? "file too large" : "out of memory");
            if (rc == SL_ELIMIT)
                sl_err_hint(err, "a state file is never this large; it is probably not ours");
            goto out;
        }
        r = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = io_fail(err, errno, "read", path);
            goto out;
        }
        if (r == 0)
            break;
        out->len += (size_t)r;
        if (out->len > out->limit) {
            rc = sl_err_set(err, SL_ELIMIT, "cannot read \"%s\": file too large", path);
            goto out;
        }
    }
    out->data[out->len] = '\0';
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

bool fsio_is_temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);

    if (base[0] == '.' && strstr(base, ".tmp."))
        return true;
    return n > 4 && strcmp(base + n - 4, ".tmp") == 0;
}
