/*
 * jsonl: see jsonl.h for the contract.
 *
 * One jsonl_write renders its rows into one buffer of whole lines and
 * writes the buffer out whenever it passes FLUSH_BYTES and at the end, so
 * memory is bounded by one batch's text plus one row. For each input row
 * it records the byte offset (counted from the call's first byte) after
 * which the row is fully represented in the output: the end of its line,
 * the end of the op 4 line for an op 3 before-image, the end of the
 * previous line for a skipped op 3, never for an op 3 still waiting. When
 * a write fails after k bytes, the rows done are those whose offset is at
 * most k: that is the count a caller may move its watermark over.
 *
 * Files mode writes the buffer into the open part (a temp name) and
 * closes the part when it reaches its size or line limit, checked after
 * each line, so a part ends on a line boundary. Parts are renamed only at
 * jsonl_commit: a crash before leaves temps only (hidden names that
 * fsio_is_temp_name recognises), a crash between renames leaves complete
 * files of changes the watermark does not cover yet, which a rerun writes
 * again (at-least-once across a crash in the middle of a commit).
 */
#include "sink/jsonl.h"

#include "core/buf.h"
#include "core/civil.h"
#include "core/lsn.h"
#include "core/mem.h"
#include "sink/sink.h"
#include "state/fsio.h"
#include "state/json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SL_VERSION
#define SL_VERSION "0.0.0"
#endif

#define FLUSH_BYTES (256u << 10)
#define NOT_DONE UINT64_MAX

struct part {
    char *tmp, *final, *name; /* absolute temp and final paths; final base name */
    bool published;
};

struct jsonl {
    char *dir, *stem, *server;
    int fd;
    bool files;
    uint64_t max_bytes, max_rows;
    const struct fsio_ops *io;

    struct part *parts;
    size_t nparts, cap_parts, unpublished; /* parts[unpublished..nparts) await a commit */
    int part_fd;                           /* the open part, or -1 */
    uint64_t part_bytes, part_lines;       /* written to the open part */
    bool dir_made;

    struct buf out;          /* whole lines not yet written */
    uint64_t out_lines;
    uint64_t written;        /* bytes of this call written */
    uint64_t *row_end;       /* per row of this call: offset after which it is done */
    size_t row_cap;
    size_t *cols;            /* table columns of the batch: JSONL_SYS_COLUMNS.. */
    size_t cols_cap;
    struct buf head;         /* this call's "source" members up to "table" */

    struct buf before;       /* an op 3 row's object, waiting for its op 4 */
    bool waiting;
    struct lsn wait_lsn, wait_seq;
    bool wait_seq_null;
    size_t wait_row;         /* its row in this call, or SIZE_MAX for an earlier call */

    char *table_key;         /* db.schema.table of the previous call */
    struct lsn ser_lsn, ser_seq; /* event_serial_no counts rows sharing these */
    bool ser_have, ser_seq_null, prev_op3;
    int64_t serial;

    uint64_t events, events_committed;
    int failed;
};

/* ---- files ------------------------------------------------------------- */

static ssize_t io_write(const struct jsonl *j, int fd, const void *p, size_t n)
{
    return j->io && j->io->write ? j->io->write(j->io->arg, fd, p, n) : write(fd, p, n);
}

static int io_fsync(const struct jsonl *j, int fd)
{
    return j->io && j->io->fsync ? j->io->fsync(j->io->arg, fd) : fsync(fd);
}

static int io_fail(struct sl_err *err, int errnum, const char *what, const char *path)
{
    int code = sl_err_from_errno(errnum);
    if (code == SL_ENOTFOUND || code == SL_EINVAL || code == SL_EBUSY)
        code = SL_EIO;
    sl_err_errno(err, code, errnum, "cannot %s \"%s\"", what, path);
    if (errnum == ENOSPC || errnum == EDQUOT)
        sl_err_hint(err, "free space on the volume holding \"%s\", then run again; the "
                         "watermark did not move, so the next run writes these changes again",
                    path);
    else if (errnum == EACCES || errnum == EPERM || errnum == EROFS)
        sl_err_hint(err, "check that the user running sluice may write to \"%s\"", path);
    return code;
}

/* Write p[0..n) to fd, all of it; *done counts what was written. 0 or errno. */
static int write_all(const struct jsonl *j, int fd, const uint8_t *p, size_t n, size_t *done)
{
    *done = 0;
    while (*done < n) {
        ssize_t w = io_write(j, fd, p + *done, n - *done);
        if (w > 0) {
            *done += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A non-blocking stdout: wait until the reader drains it. */
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                return errno;
        } else {
            return w < 0 ? errno : EIO;
        }
    }
    return 0;
}

/* "{stem}_{YYYYMMDD}T{HHMMSSmmm}Z_part{N}.jsonl" for a part started at ms. */
static char *part_name(const struct jsonl *j, int64_t ms, size_t n)
{
    int64_t days = ms / 86400000, rem = ms % 86400000, y;
    unsigned mo, d;
    char s[512];

    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    civil_from_days(days, &y, &mo, &d);
    snprintf(s, sizeof s, "%s_%04" PRId64 "%02u%02uT%02d%02d%02d%03dZ_part%zu.jsonl", j->stem, y,
             mo, d, (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000), n);
    return sl_strdup(s);
}

static int open_part(struct jsonl *j, int64_t ms, struct sl_err *err)
{
    struct part *p;
    size_t len;

    if (!j->dir_made) {
        int rc = fsio_mkdirs(j->io, j->dir, 0755, err);
        if (rc)
            return rc;
        j->dir_made = true;
    }
    if (j->nparts == j->cap_parts) {
        size_t cap = j->cap_parts ? j->cap_parts * 2 : 8;
        struct part *np = sl_realloc(j->parts, cap * sizeof *np);
        if (!np)
            return sl_err_set(err, SL_ENOMEM, "out of memory starting a file in \"%s\"", j->dir);
        j->parts = np;
        j->cap_parts = cap;
    }
    p = &j->parts[j->nparts];
    memset(p, 0, sizeof *p);
    p->name = part_name(j, ms, j->nparts + 1);
    len = strlen(j->dir) + (p->name ? strlen(p->name) : 0) + 8;
    p->tmp = sl_malloc(len);
    p->final = sl_malloc(len);
    if (!p->name || !p->tmp || !p->final) {
        sl_free(p->name);
        sl_free(p->tmp);
        sl_free(p->final);
        return sl_err_set(err, SL_ENOMEM, "out of memory starting a file in \"%s\"", j->dir);
    }
    snprintf(p->tmp, len, "%s/.%s.tmp", j->dir, p->name);
    snprintf(p->final, len, "%s/%s", j->dir, p->name);
    j->part_fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (j->part_fd < 0) {
        int e = errno;
        int rc = io_fail(err, e, "create", p->tmp);
        sl_free(p->name);
        sl_free(p->tmp);
        sl_free(p->final);
        return rc;
    }
    j->nparts++;
    j->part_bytes = j->part_lines = 0;
    return 0;
}

/* fsync and close the open part; it stays under its temp name. */
static int close_part(struct jsonl *j, struct sl_err *err)
{
    const char *tmp = j->parts[j->nparts - 1].tmp;
    int rc = 0;

    if (io_fsync(j, j->part_fd) != 0)
        rc = io_fail(err, errno, "flush to disk", tmp);
    if (close(j->part_fd) != 0 && !rc)
        rc = io_fail(err, errno, "close", tmp);
    j->part_fd = -1;
    j->part_bytes = j->part_lines = 0;
    return rc;
}

/* Rename tmp to final, refusing to replace an existing file. */
static int rename_new(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* No RENAME_NOREPLACE on this filesystem: part names carry the time
     * and a number, so a check first is enough for one writer. */
    if (access(final, F_OK) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, final);
}

/* ---- output ------------------------------------------------------------ */

/* Count the lines in p[0..n). */
static uint64_t count_lines(const uint8_t *p, size_t n)
{
    uint64_t k = 0;
    for (const uint8_t *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        k++;
    return k;
}

/* Write out the buffered lines; files mode opens a part (named by ms) first. */
static int flush(struct jsonl *j, int64_t ms, struct sl_err *err)
{
    size_t done = 0;
    int fd, e;

    if (j->out.len == 0)
        return 0;
    if (j->files && j->part_fd < 0) {
        int rc = open_part(j, ms, err);
        if (rc)
            return rc;
    }
    fd = j->files ? j->part_fd : j->fd;
    e = write_all(j, fd, j->out.data, j->out.len, &done);
    j->written += done;
    if (e) {
        uint64_t lines = count_lines(j->out.data, done);
        j->events += lines;
        if (e == EPIPE && !j->files) {
            sl_err_set(err, SL_ECLOSED, "the reader of the change stream went away (broken pipe)");
            sl_err_detail(err, "%" PRIu64 " changes of this batch were written in full", lines);
            sl_err_hint(err, "the watermark moves only over what was written; run again to "
                             "send the rest");
            return SL_ECLOSED;
        }
        return io_fail(err, e, "write the change stream to",
                       j->files ? j->parts[j->nparts - 1].tmp : "the output");
    }
    j->events += j->out_lines;
    j->part_bytes += j->out.len;
    j->part_lines += j->out_lines;
    buf_reset(&j->out);
    j->out_lines = 0;
    return 0;
}

/* ---- the envelope ------------------------------------------------------ */

static int put_lsn(struct buf *b, const uint8_t *p, size_t n)
{
    struct lsn l;
    char s[LSN_DEBEZIUM_LEN + 3];
    if (!lsn_from_bytes(&l, p, n))
        return SL_ECORRUPT;
    s[0] = '"';
    lsn_to_debezium(&l, s + 1);
    s[LSN_DEBEZIUM_LEN + 1] = '"';
    return buf_append(b, s, LSN_DEBEZIUM_LEN + 2);
}

/* The "source" members of a call that do not change per row. */
static int make_head(struct jsonl *j, const struct jsonl_table *t)
{
    struct buf *h = &j->head;
    int rc;

    buf_reset(h);
    rc = buf_appendf(h, "{\"version\":\"sluice " SL_VERSION "\",\"connector\":\"sqlserver\","
                        "\"name\":");
    if (!rc)
        rc = json_quote(h, j->server ? j->server : t->db);
    if (!rc)
        rc = buf_appendf(h, ",\"ts_ms\":%" PRId64 ",\"snapshot\":\"%s\",\"db\":", t->source_ts_ms,
                         t->snapshot ? "true" : "false");
    if (!rc)
        rc = json_quote(h, t->db);
    if (!rc)
        rc = buf_append_str(h, ",\"sequence\":null,\"schema\":");
    if (!rc)
        rc = json_quote(h, t->schema);
    if (!rc)
        rc = buf_append_str(h, ",\"table\":");
    if (!rc)
        rc = json_quote(h, t->table);
    if (!rc)
        rc = buf_append_byte(h, ',');
    return rc;
}

enum side { S_NULL, S_ROW, S_KEY, S_WAITING };

/* The position members of row r: change_lsn .. change_version. */
static int put_position(struct jsonl *j, const struct jsonl_table *t, const struct batch *b,
                        size_t r)
{
    struct buf *o = &j->out;
    const uint8_t *p;
    size_t n;
    int rc;

    if (t->capture == JSONL_CT)
        return buf_appendf(o, "\"change_lsn\":null,\"commit_lsn\":null,\"event_serial_no\":null,"
                              "\"change_version\":%" PRId64 "}",
                           batch_get_int(b, 0, r));
    rc = buf_append_str(o, "\"change_lsn\":");
    if (!rc && (t->snapshot || batch_is_null(b, 1, r))) {
        rc = buf_append_str(o, "null");
    } else if (!rc) {
        p = batch_get_bytes(b, 1, r, &n);
        rc = put_lsn(o, p, n);
    }
    if (!rc)
        rc = buf_append_str(o, ",\"commit_lsn\":");
    if (!rc) {
        p = batch_get_bytes(b, 0, r, &n);
        rc = put_lsn(o, p, n);
    }
    if (!rc && t->snapshot)
        rc = buf_append_str(o, ",\"event_serial_no\":null,\"change_version\":null}");
    else if (!rc)
        rc = buf_appendf(o, ",\"event_serial_no\":%" PRId64 ",\"change_version\":null}",
                         j->serial);
    return rc;
}

static int put_side(struct jsonl *j, const struct batch *b, size_t r, enum side s, size_t ncols,
                    size_t npk)
{
    switch (s) {
    case S_ROW: return sink_json_row(&j->out, b, r, j->cols, ncols);
    case S_KEY: return sink_json_row(&j->out, b, r, j->cols, npk);
    case S_WAITING: return buf_append(&j->out, j->before.data, j->before.len);
    case S_NULL: break;
    }
    return buf_append_str(&j->out, "null");
}

/* Append the line of row r. */
static int put_line(struct jsonl *j, const struct jsonl_table *t, const struct batch *b, size_t r,
                    char op, enum side before, enum side after)
{
    size_t ncols = b->schema->nfields - JSONL_SYS_COLUMNS;
    int rc = buf_append_str(&j->out, "{\"before\":");

    if (!rc)
        rc = put_side(j, b, r, before, ncols, t->npk);
    if (!rc)
        rc = buf_append_str(&j->out, ",\"after\":");
    if (!rc)
        rc = put_side(j, b, r, after, ncols, t->npk);
    if (!rc)
        rc = buf_append_str(&j->out, ",\"source\":");
    if (!rc)
        rc = buf_append(&j->out, j->head.data, j->head.len);
    if (!rc)
        rc = put_position(j, t, b, r);
    if (!rc)
        rc = buf_appendf(&j->out, ",\"op\":\"%c\",\"ts_ms\":%" PRId64 ",\"transaction\":null}\n",
                         op, t->ts_ms);
    if (!rc)
        j->out_lines++;
    return rc;
}

/* ---- CDC pairing and event_serial_no ---------------------------------- */

/* Row r's (__$start_lsn, __$seqval); false when not 10-byte LSNs. */
static bool row_key(const struct batch *b, size_t r, struct lsn *l, struct lsn *s, bool *s_null)
{
    size_t n;
    const uint8_t *p = batch_get_bytes(b, 0, r, &n);
    if (!lsn_from_bytes(l, p, n))
        return false;
    *s_null = batch_is_null(b, 1, r);
    if (*s_null) {
        memset(s, 0, sizeof *s);
        return true;
    }
    p = batch_get_bytes(b, 1, r, &n);
    return lsn_from_bytes(s, p, n);
}

/*
 * Debezium's event_serial_no: the rows sharing one (commit LSN, change
 * LSN) are numbered from 1, an update's before-image counting (so an
 * update's event is 2 even when the query left op 3 out: Debezium always
 * reads them), a key update's delete and insert 1 and 2. Net changes
 * have no change LSN: 1.
 */
static void count_serial(struct jsonl *j, const struct lsn *l, const struct lsn *s, bool s_null,
                         int op)
{
    bool same = j->ser_have && !s_null && !j->ser_seq_null && lsn_cmp(l, &j->ser_lsn) == 0 &&
                lsn_cmp(s, &j->ser_seq) == 0;
    if (s_null) {
        j->serial = 1;
    } else {
        j->serial = same ? j->serial + 1 : 1;
        if (op == 4 && !(same && j->prev_op3))
            j->serial++;
    }
    j->ser_have = true;
    j->ser_lsn = *l;
    j->ser_seq = *s;
    j->ser_seq_null = s_null;
    j->prev_op3 = op == 3;
}

static int corrupt(struct jsonl *j, const struct jsonl_table *t, size_t r, const char *what,
                   struct sl_err *err)
{
    sl_err_set(err, SL_ECORRUPT, "change stream of %s.%s.%s: %s (row %zu of the batch)", t->db,
               t->schema, t->table, what, r + 1);
    sl_err_hint(err, "read CDC changes ordered by __$start_lsn, __$seqval, __$operation "
                     "(source/cdc.h)");
    j->failed = SL_ECORRUPT;
    return SL_ECORRUPT;
}

/* Stash CDC op 3 row r as the before of the op 4 that must follow. */
static int wait_before(struct jsonl *j, const struct batch *b, size_t r, const struct lsn *l,
                       const struct lsn *s, bool s_null, size_t ncols)
{
    buf_reset(&j->before);
    j->waiting = true;
    j->wait_lsn = *l;
    j->wait_seq = *s;
    j->wait_seq_null = s_null;
    j->wait_row = r;
    return sink_json_row(&j->before, b, r, j->cols, ncols);
}

/* One CDC row: its line, or the before-image it holds back. */
static int cdc_row(struct jsonl *j, const struct jsonl_table *t, const struct batch *b, size_t r,
                   struct sl_err *err)
{
    size_t ncols = b->schema->nfields - JSONL_SYS_COLUMNS;
    int64_t op = batch_get_int(b, 2, r);
    struct lsn l, s;
    bool s_null = true, paired = false;
    int rc;

    if (!row_key(b, r, &l, &s, &s_null))
        return corrupt(j, t, r, "__$start_lsn or __$seqval is not 10 bytes", err);
    if (j->waiting) {
        paired = op == 4 && lsn_cmp(&l, &j->wait_lsn) == 0 && s_null == j->wait_seq_null &&
                 lsn_cmp(&s, &j->wait_seq) == 0;
        if (!paired)
            return corrupt(j, t, r, "an update's before-image (__$operation 3) is not followed "
                                    "by its after-image (4)", err);
    }
    if (op < 1 || op > 4)
        return corrupt(j, t, r, "__$operation is not 1, 2, 3 or 4", err);
    count_serial(j, &l, &s, s_null, (int)op);
    if (op == 3) {
        if (!t->update_before) {
            j->row_end[r] = j->written + j->out.len;
            return 0;
        }
        rc = wait_before(j, b, r, &l, &s, s_null, ncols);
        j->row_end[r] = NOT_DONE;
        return rc ? sl_err_set(err, rc, "out of memory rendering a change of %s.%s.%s", t->db,
                               t->schema, t->table)
                  : 0;
    }
    rc = put_line(j, t, b, r, op == 1 ? 'd' : op == 2 ? 'c' : 'u',
                  op == 1 ? S_ROW : paired ? S_WAITING : S_NULL, op == 1 ? S_NULL : S_ROW);
    if (rc)
        return sl_err_set(err, rc, "out of memory rendering a change of %s.%s.%s", t->db,
                          t->schema, t->table);
    j->row_end[r] = j->written + j->out.len;
    if (paired) {
        if (j->wait_row != SIZE_MAX)
            j->row_end[j->wait_row] = j->row_end[r];
        j->waiting = false;
    }
    return 0;
}

/* One Change Tracking row (or a full-load row of either capture). */
static int ct_row(struct jsonl *j, const struct jsonl_table *t, const struct batch *b, size_t r,
                  struct sl_err *err)
{
    char op = 'r';
    enum side before = S_NULL, after = S_ROW;
    int rc;

    if (!t->snapshot) {
        size_t n = 0;
        const uint8_t *p = batch_is_null(b, 2, r) ? NULL : batch_get_bytes(b, 2, r, &n);
        if (!p || n != 1 || (p[0] != 'I' && p[0] != 'U' && p[0] != 'D'))
            return corrupt(j, t, r, "SYS_CHANGE_OPERATION is not I, U or D", err);
        op = p[0] == 'I' ? 'c' : p[0] == 'U' ? 'u' : 'd';
        if (op == 'd') {
            before = S_KEY; /* Change Tracking keeps only the key of a deleted row */
            after = S_NULL;
        }
    }
    rc = put_line(j, t, b, r, op, before, after);
    if (rc)
        return sl_err_set(err, rc, "out of memory rendering a change of %s.%s.%s", t->db,
                          t->schema, t->table);
    j->row_end[r] = j->written + j->out.len;
    return 0;
}

/* ---- checks ------------------------------------------------------------ */

static bool is_int(enum batch_type t)
{
    return t == BATCH_INT8 || t == BATCH_INT16 || t == BATCH_INT32 || t == BATCH_INT64;
}

static int check_batch(struct jsonl *j, const struct jsonl_table *t, const struct batch *b,
                       struct sl_err *err)
{
    const struct batch_schema *s = b->schema;
    bool ok = s->nfields >= JSONL_SYS_COLUMNS + t->npk;

    if (ok && t->capture == JSONL_CT)
        ok = is_int(s->fields[0].type) && s->fields[2].type == BATCH_STRING;
    else if (ok && t->capture == JSONL_CDC)
        ok = s->fields[0].type == BATCH_BINARY && s->fields[1].type == BATCH_BINARY &&
             is_int(s->fields[2].type);
    else
        ok = false;
    if (!ok) {
        sl_err_set(err, SL_EINVAL, "change stream of %s.%s.%s: the batch does not have the "
                                   "%s layout", t->db, t->schema, t->table,
                   t->capture == JSONL_CDC ? "CDC" : "change tracking");
        sl_err_hint(err, "a bug in the caller: batches come from source/ct.h or source/cdc.h");
        j->failed = SL_EINVAL;
        return SL_EINVAL;
    }
    return 0;
}

/* Per-call state: the head, the column list, row offsets, and a reset of
 * the pairing state when the table changes. */
static int begin_call(struct jsonl *j, const struct jsonl_table *t, const struct batch *b,
                      struct sl_err *err)
{
    size_t ncols = b->schema->nfields - JSONL_SYS_COLUMNS;
    char key[1024];

    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", t->db, t->schema, t->table);
    if (!j->table_key || strcmp(key, j->table_key) != 0) {
        if (j->waiting)
            return corrupt(j, t, 0, "a new table while an update's before-image waits for "
                                    "its after-image", err);
        sl_free(j->table_key);
        j->table_key = sl_strdup(key);
        j->ser_have = j->prev_op3 = false;
    }
    j->wait_row = SIZE_MAX; /* a waiting op 3 now belongs to an earlier call */
    if (b->nrows > j->row_cap) {
        uint64_t *nr = sl_realloc(j->row_end, b->nrows * sizeof *nr);
        if (!nr)
            goto nomem;
        j->row_end = nr;
        j->row_cap = b->nrows;
    }
    if (ncols > j->cols_cap) {
        size_t *nc = sl_realloc(j->cols, ncols * sizeof *nc);
        if (!nc)
            goto nomem;
        j->cols = nc;
        j->cols_cap = ncols;
    }
    for (size_t i = 0; i < ncols; i++)
        j->cols[i] = JSONL_SYS_COLUMNS + i;
    j->written = 0;
    if (!j->table_key || make_head(j, t) != 0)
        goto nomem;
    return 0;
nomem:
    j->failed = SL_ENOMEM;
    return sl_err_set(err, SL_ENOMEM, "out of memory writing the change stream of %s.%s.%s",
                      t->db, t->schema, t->table);
}

/* ---- public ------------------------------------------------------------ */

int jsonl_open(const struct jsonl_options *opt, struct jsonl **out, struct sl_err *err)
{
    struct jsonl *j = NULL;

    *out = NULL;
    if (!opt->dir && opt->fd < 0)
        return sl_err_set(err, SL_EINVAL, "change stream: no directory and no file descriptor");
    if (opt->dir && (!opt->stem || !opt->stem[0] || strchr(opt->stem, '/') ||
                     opt->stem[0] == '.')) {
        sl_err_set(err, SL_EINVAL, "change stream: file name stem \"%s\" is not a plain name",
                   opt->stem ? opt->stem : "");
        sl_err_hint(err, "use letters, digits, '_' or '-', not starting with '.'");
        return SL_EINVAL;
    }
    j = sl_calloc(1, sizeof *j);
    if (!j)
        goto nomem;
    j->files = opt->dir != NULL;
    j->fd = opt->fd;
    j->part_fd = -1;
    j->io = opt->io;
    j->max_bytes = opt->max_file_bytes ? opt->max_file_bytes : JSONL_DEFAULT_MAX_FILE_BYTES;
    j->max_rows = opt->max_file_rows;
    buf_init(&j->out, 0);
    buf_init(&j->head, 0);
    buf_init(&j->before, 0);
    if ((opt->dir && !(j->dir = sl_strdup(opt->dir))) ||
        (opt->stem && !(j->stem = sl_strdup(opt->stem))) ||
        (opt->server && !(j->server = sl_strdup(opt->server))))
        goto nomem;
    *out = j;
    return 0;
nomem:
    jsonl_close(j);
    return sl_err_set(err, SL_ENOMEM, "out of memory opening the change stream");
}

/* Rows of this call done: the leading rows whose offset is written. */
static size_t rows_done(const struct jsonl *j, size_t nrows)
{
    size_t k = 0;
    while (k < nrows && j->row_end[k] <= j->written)
        k++;
    return k;
}

int jsonl_write(struct jsonl *j, const struct jsonl_table *t, const struct batch *b, size_t *done,
                struct sl_err *err)
{
    size_t r = 0;
    int rc;

    if (done)
        *done = 0;
    if (j->failed)
        return sl_err_set(err, SL_ESTATE, "change stream of %s.%s.%s: an earlier write failed",
                          t->db, t->schema, t->table);
    if ((rc = check_batch(j, t, b, err)) != 0 || (rc = begin_call(j, t, b, err)) != 0)
        return rc;
    for (r = 0; r < b->nrows && !rc; r++) {
        rc = t->capture == JSONL_CDC && !t->snapshot ? cdc_row(j, t, b, r, err)
                                                     : ct_row(j, t, b, r, err);
        if (rc)
            break;
        if (j->files && (j->part_bytes + j->out.len >= j->max_bytes ||
                         (j->max_rows && j->part_lines + j->out_lines >= j->max_rows))) {
            rc = flush(j, t->ts_ms, err);
            if (!rc)
                rc = close_part(j, err);
        } else if (j->out.len >= FLUSH_BYTES) {
            rc = flush(j, t->ts_ms, err);
        }
    }
    if (!rc)
        rc = flush(j, t->ts_ms, err);
    if (done)
        *done = rows_done(j, rc ? r : b->nrows);
    if (rc) {
        j->failed = rc;
        buf_reset(&j->out);
        j->out_lines = 0;
    }
    return rc;
}

uint64_t jsonl_events(const struct jsonl *j)
{
    return j->events;
}

/* Undo a failed commit: remove what it renamed and every temp. */
static void discard_uncommitted(struct jsonl *j)
{
    if (j->part_fd >= 0) {
        close(j->part_fd);
        j->part_fd = -1;
    }
    for (size_t i = j->unpublished; i < j->nparts; i++)
        unlink(j->parts[i].published ? j->parts[i].final : j->parts[i].tmp);
}

static int publish(struct jsonl *j, struct sl_err *err)
{
    int rc = 0;

    if (j->part_fd >= 0 && (rc = close_part(j, err)) != 0)
        return rc;
    for (size_t i = j->unpublished; i < j->nparts; i++) {
        struct part *p = &j->parts[i];
        if (rename_new(p->tmp, p->final) != 0) {
            int e = errno;
            if (e != EEXIST)
                return io_fail(err, e, "rename a finished file to", p->final);
            sl_err_set(err, SL_EEXIST, "cannot publish \"%s\": a file of that name exists",
                       p->final);
            sl_err_hint(err, "another stream with the same stem started in the same "
                             "millisecond; give each stream its own stem or directory");
            return SL_EEXIST;
        }
        p->published = true;
    }
    return j->nparts > j->unpublished ? fsio_fsync_dir(j->io, j->dir, err) : 0;
}

static int fill_result(struct jsonl *j, struct jsonl_result *res)
{
    size_t n = j->nparts - j->unpublished;

    res->events = j->events - j->events_committed;
    if (!j->files || n == 0)
        return 0;
    res->files = sl_calloc(n, sizeof *res->files);
    if (!res->files)
        return SL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        res->files[i] = sl_strdup(j->parts[j->unpublished + i].name);
        if (!res->files[i])
            return SL_ENOMEM;
        res->nfiles++;
    }
    return 0;
}

int jsonl_commit(struct jsonl *j, struct jsonl_result *res, struct sl_err *err)
{
    struct stat st;
    int rc = 0;

    if (res)
        memset(res, 0, sizeof *res);
    if (j->failed)
        return sl_err_set(err, SL_ESTATE, "change stream: an earlier write failed; nothing "
                                          "after the last commit is durable");
    if (j->waiting) {
        sl_err_set(err, SL_ECORRUPT, "change stream: an update's before-image waits for its "
                                     "after-image at the commit");
        sl_err_hint(err, "commit between transactions, after the op 4 row of every op 3 row");
        return SL_ECORRUPT;
    }
    if (j->files)
        rc = publish(j, err);
    else if (fstat(j->fd, &st) == 0 && S_ISREG(st.st_mode) && io_fsync(j, j->fd) != 0)
        rc = io_fail(err, errno, "flush to disk", "the output file");
    if (rc) {
        discard_uncommitted(j);
        j->failed = rc;
        return rc;
    }
    if (res && fill_result(j, res) != 0) {
        jsonl_result_free(res);
        rc = sl_err_set(err, SL_ENOMEM, "out of memory listing the published files (they are "
                                        "published)");
    }
    j->unpublished = j->nparts;
    j->events_committed = j->events;
    return rc;
}

void jsonl_close(struct jsonl *j)
{
    if (!j)
        return;
    discard_uncommitted(j);
    for (size_t i = 0; i < j->nparts; i++) {
        sl_free(j->parts[i].tmp);
        sl_free(j->parts[i].final);
        sl_free(j->parts[i].name);
    }
    sl_free(j->parts);
    buf_free(&j->out);
    buf_free(&j->head);
    buf_free(&j->before);
    sl_free(j->row_end);
    sl_free(j->cols);
    sl_free(j->table_key);
    sl_free(j->dir);
    sl_free(j->stem);
    sl_free(j->server);
    sl_free(j);
}

void jsonl_result_free(struct jsonl_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfiles; i++)
        sl_free(r->files[i]);
    sl_free(r->files);
    memset(r, 0, sizeof *r);
}
