/*
 * lock: per-table flock. See lock.h.
 */
#include "state/lock.h"

#include "state/fsio.h"
#include "state/json.h"
#include "state/watermark.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LOCK_FILE ".lock"
#define LOCK_CONTENT_MAX 4096

struct table_lock {
    int fd;
};

/* Fill err with SL_EBUSY, describing the holder from the lock content. */
static int busy(int fd, const char *db, const char *schema, const char *table, struct sl_err *err)
{
    char text[LOCK_CONTENT_MAX];
    struct arena a;
    struct json_val *t = NULL;
    const char *host = NULL, *since = NULL;
    int64_t pid = 0;
    ssize_t n = pread(fd, text, sizeof text - 1, 0);

    arena_init(&a, 1024, 0);
    if (n > 0 && json_tree_parse(text, (size_t)n, LOCK_FILE, &a, &t, NULL) == 0) {
        host = json_tree_str(t, "host");
        since = json_tree_str(t, "started_at");
        if (!json_tree_int(t, "pid", &pid))
            pid = 0;
    }
    if (pid > 0 && host && since)
        sl_err_set(err, SL_EBUSY, "table %s.%s.%s is being synced by pid %lld on host %s since %s",
                   db, schema, table, (long long)pid, host, since);
    else
        sl_err_set(err, SL_EBUSY, "table %s.%s.%s is being synced by another process", db, schema,
                   table);
    sl_err_hint(err, "wait for that run to finish; the lock is released when its process ends, "
                     "so there is no stale lock to remove");
    arena_free(&a);
    return SL_EBUSY;
}

/* Replace the lock file's content with our pid, host and start time. */
static int describe(int fd, const char *path, const char *started_at, struct sl_err *err)
{
    char host[256] = "unknown";
    struct buf b;
    struct json_out o;
    int rc;

    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    buf_init(&b, LOCK_CONTENT_MAX - 1);
    json_out_init(&o, &b, false);
    json_out_object_begin(&o, NULL);
    json_out_int(&o, "pid", (int64_t)getpid());
    json_out_string(&o, "host", host);
    json_out_string(&o, "started_at", started_at);
    json_out_object_end(&o);
    rc = json_out_finish(&o);
    if (rc == 0)
        rc = buf_append_byte(&b, '\n');
    if (rc != 0) {
        rc = sl_err_set(err, rc, "cannot describe the lock \"%s\": %s", path, sl_strerror(rc));
        goto out;
    }
    /* Diagnostics only: no fsync, the lock itself lives in the kernel. */
    if (ftruncate(fd, 0) < 0 || pwrite(fd, b.data, b.len, 0) != (ssize_t)b.len)
        rc = sl_err_errno(err, SL_EIO, errno, "cannot write the lock file \"%s\"", path);
out:
    buf_free(&b);
    return rc;
}

int lock_open(const struct fsio_ops *io, const char *root, const char *db, const char *schema,
              const char *table, const char *started_at, struct table_lock **out,
              struct sl_err *err)
{
    struct buf path;
    struct table_lock *l = NULL;
    int fd = -1, rc, r;

    *out = NULL;
    buf_init(&path, 0);
    rc = watermark_dir(root, db, schema, table, &path, err);
    if (rc == 0)
        rc = fsio_mkdirs(io, (const char *)path.data, 0755, err);
    if (rc == 0 && (rc = buf_append_str(&path, "/" LOCK_FILE)) != 0)
        sl_err_set(err, rc, "out of memory locking %s.%s.%s", db, schema, table);
    if (rc != 0)
        goto out;
    fd = open((const char *)path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc =
            sl_err_errno(err, SL_EIO, errno, "cannot open the lock file \"%s\"", (char *)path.data);
        goto out;
    }
    do {
        r = flock(fd, LOCK_EX | LOCK_NB);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EWOULDBLOCK) {
        rc = busy(fd, db, schema, table, err);
        goto out;
    }
    if (r < 0) {
        rc = sl_err_errno(err, SL_EIO, errno, "cannot lock \"%s\"", (char *)path.data);
        sl_err_hint(err, "the filesystem holding the state root must support flock");
        goto out;
    }
    rc = describe(fd, (const char *)path.data, started_at, err);
    if (rc == 0 && !(l = sl_malloc(sizeof *l)))
        rc = sl_err_set(err, SL_ENOMEM, "out of memory locking %s.%s.%s", db, schema, table);
    if (rc != 0)
        goto out;
    l->fd = fd;
    fd = -1;
    *out = l;
out:
    if (fd >= 0)
        close(fd); /* releases a lock taken above */
    buf_free(&path);
    return rc;
}

void lock_close(struct table_lock *l)
{
    if (!l)
        return;
    /* Clear the content while still holding the lock, so a reader never
     * sees our pid after we let go. */
    if (ftruncate(l->fd, 0) < 0) {
        /* Harmless: the content is a hint and the kernel drops the lock. */
    }
    close(l->fd);
    sl_free(l);
}
