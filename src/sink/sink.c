/*
 * sink: parts, names, footer keys and the publish protocol. See sink.h for
 * the contract; the formats (per_table.c, unified.c) only shape batches.
 *
 * The order of operations is the point of this file. A part is written
 * under its temp name and closed by the Parquet writer (footer, fsync,
 * close) when the next part starts or at sink_finish. Only sink_finish
 * renames: every closed part, in part order, to its final name (never
 * over an existing file), then one fsync of the directory makes the names
 * durable. A crash before the renames leaves only temps (removed by
 * orphan recovery, rule 1); a crash between renames leaves an incomplete
 * run (parts missing: removed, rule 7); after the directory fsync the run
 * is complete and can be adopted even if the watermark was never stored.
 */
#include "sink/sink_int.h"

#include "core/buf.h"
#include "core/civil.h"
#include "core/err.h"
#include "core/mem.h"
#include "state/fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *sink_format_name(enum sink_format f)
{
    switch (f) {
    case SINK_PER_TABLE:
        return "per_table";
    case SINK_UNIFIED:
        return "unified";
    }
    return "unknown";
}

/* Fill err for a failed system call on path, with a hint a user can act on. */
static int io_fail(struct sl_err *err, int errnum, const char *what, const char *path)
{
    int fresh = err && err->code == 0;
    int code = sl_err_from_errno(errnum);

    if (code == SL_ENOTFOUND || code == SL_EINVAL || code == SL_EBUSY)
        code = SL_EIO;
    sl_err_errno(err, code, errnum, "cannot %s \"%s\"", what, path);
    if (!fresh)
        return code;
    if (errnum == ENOSPC || errnum == EDQUOT)
        sl_err_hint(err, "free space on the volume holding \"%s\", then run again; the watermark "
                         "did not move, so the next run writes these changes again", path);
    else if (errnum == EACCES || errnum == EPERM || errnum == EROFS)
        sl_err_hint(err, "check that the user running sluice may write to \"%s\"", path);
    return code;
}

/* A name usable as one path component (as watermark_dir requires). */
static bool component_ok(const char *s)
{
    if (!s || !s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++) {
        if (*s == '/' || (unsigned char)*s < 0x20)
            return false;
    }
    return true;
}

/* UTC calendar fields of unix milliseconds. */
struct utc {
    int64_t y;
    unsigned mo, d, h, mi, s, ms;
};

static void utc_of_ms(int64_t ms, struct utc *u)
{
    const int64_t day = 86400000;
    int64_t days = ms / day, rem = ms % day;
    if (rem < 0) {
        rem += day;
        days--;
    }
    civil_from_days(days, &u->y, &u->mo, &u->d);
    u->h = (unsigned)(rem / 3600000);
    u->mi = (unsigned)(rem / 60000 % 60);
    u->s = (unsigned)(rem / 1000 % 60);
    u->ms = (unsigned)(rem % 1000);
}

/* dir_rel, dir_abs and the file stem of the run. */
static int make_names(struct sink *s, struct sl_err *err)
{
    struct utc u;
    struct buf b;
    int rc = 0;

    utc_of_ms(s->run.started_ms, &u);
    buf_init(&b, 0);
    if (buf_appendf(&b, "data/%s/%s/%s/%04" PRId64 "-%02u-%02u", s->db, s->schema, s->table,
                    u.y, u.mo, u.d) != 0 ||
        !(s->dir_rel = (char *)buf_take(&b, NULL)))
        goto nomem;
    if (buf_appendf(&b, "%s/%s", s->root, s->dir_rel) != 0 ||
        !(s->dir_abs = (char *)buf_take(&b, NULL)))
        goto nomem;
    if (buf_appendf(&b, "%s_%s_%04" PRId64 "%02u%02uT%02u%02u%02u%03uZ", s->schema, s->table, u.y,
                    u.mo, u.d, u.h, u.mi, u.s, u.ms) != 0 ||
        !(s->stem = (char *)buf_take(&b, NULL)))
        goto nomem;
    goto out;
nomem:
    rc = sl_err_set(err, SL_ENOMEM, "out of memory opening the output of %s.%s.%s", s->db,
                    s->schema, s->table);
out:
    buf_free(&b);
    return rc;
}

static int check_inputs(const struct sink_options *opt, const struct sink_table *t,
                        const struct sink_run *run, const struct batch_schema *schema, size_t npk,
                        struct sl_err *err)
{
    if (!opt || !t || !run || !schema || !opt->root || !opt->root[0])
        return sl_err_set(err, SL_EINVAL, "sink: missing options, table, run or storage root");
    if (!component_ok(t->db) || !component_ok(t->schema) || !component_ok(t->table)) {
        sl_err_set(err, SL_EINVAL, "table %s.%s.%s cannot be stored: a name is empty, \".\", "
                                   "\"..\" or holds '/' or a control character",
                   t->db ? t->db : "?", t->schema ? t->schema : "?", t->table ? t->table : "?");
        sl_err_hint(err, "rename the object or exclude it from the sync");
        return SL_EINVAL;
    }
    if (opt->format != SINK_PER_TABLE && opt->format != SINK_UNIFIED)
        return sl_err_set(err, SL_EINVAL, "sink: unknown output format %d", (int)opt->format);
    if (!run->run_id || !run->run_id[0])
        return sl_err_set(err, SL_EINVAL, "sink: run of %s.%s.%s has no run_id", t->db,
                          t->schema, t->table);
    if (schema->nfields <= SINK_SYS_COLUMNS || npk > schema->nfields - SINK_SYS_COLUMNS)
        return sl_err_set(err, SL_EINVAL,
                          "sink: the batches of %s.%s.%s have %zu columns and %zu key columns; "
                          "expected the %d change columns, then the key, then the others",
                          t->db, t->schema, t->table, schema->nfields, npk, SINK_SYS_COLUMNS);
    return 0;
}

static int copy_strings(struct sink *s, const struct sink_options *opt, const struct sink_table *t,
                        const struct sink_run *run)
{
    s->root = sl_strdup(opt->root);
    s->db = sl_strdup(t->db);
    s->schema = sl_strdup(t->schema);
    s->table = sl_strdup(t->table);
    s->catalog = sl_strdup(t->catalog ? t->catalog : t->db);
    s->run_id = sl_strdup(run->run_id);
    s->schema_version = sl_strdup(run->schema_version ? run->schema_version : "");
    if (!s->root || !s->db || !s->schema || !s->table || !s->catalog || !s->run_id ||
        !s->schema_version)
        return SL_ENOMEM;
    s->run = *run;
    s->run.run_id = s->run_id;
    s->run.schema_version = s->schema_version;
    return 0;
}

static void sink_free(struct sink *s)
{
    if (!s)
        return;
    if (s->ops && s->ops->close)
        s->ops->close(s);
    for (size_t i = 0; i < s->nparts; i++) {
        sl_free(s->parts[i].tmp);
        sl_free(s->parts[i].final);
        sl_free(s->parts[i].rel);
    }
    sl_free(s->parts);
    sl_free(s->slice_cols);
    batch_schema_free(&s->fschema);
    sl_free(s->root);
    sl_free(s->db);
    sl_free(s->schema);
    sl_free(s->table);
    sl_free(s->catalog);
    sl_free(s->run_id);
    sl_free(s->schema_version);
    sl_free(s->dir_rel);
    sl_free(s->dir_abs);
    sl_free(s->stem);
    sl_free(s);
}

int sink_open(const struct sink_options *opt, const struct sink_table *t, const struct sink_run *run,
              const struct batch_schema *schema, size_t npk, struct sink **out, struct sl_err *err)
{
    struct sink *s = NULL;
    int rc;

    *out = NULL;
    if ((rc = check_inputs(opt, t, run, schema, npk, err)) != 0)
        return rc;
    s = sl_calloc(1, sizeof *s);
    if (!s || copy_strings(s, opt, t, run) != 0) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory opening the output of %s.%s.%s", t->db,
                        t->schema, t->table);
        goto fail;
    }
    s->format = opt->format;
    s->io = opt->io;
    s->max_file_rows = opt->max_file_rows ? opt->max_file_rows : SINK_DEFAULT_MAX_FILE_ROWS;
    s->soft_delete = opt->soft_delete;
    s->in = schema;
    s->npk = npk;
    parquet_options_init(&s->popt);
    s->popt.codec = opt->codec;
    s->popt.level = opt->codec_level;
    if (opt->row_group_rows)
        s->popt.row_group_rows = opt->row_group_rows;
    if (opt->io) {
        s->pio.write = opt->io->write;
        s->pio.fsync = opt->io->fsync;
        s->pio.arg = opt->io->arg;
        s->popt.io = &s->pio;
    }
    if ((rc = make_names(s, err)) != 0)
        goto fail;
    s->ops = opt->format == SINK_UNIFIED ? &sink_unified_ops : &sink_per_table_ops;
    if ((rc = s->ops->open(s, err)) != 0)
        goto fail;
    s->popt.groups = s->ngroups ? s->groups : NULL;
    s->popt.ngroups = s->ngroups;
    s->slice_cols = sl_calloc(s->fschema.nfields, sizeof *s->slice_cols);
    if (!s->slice_cols) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory opening the output of %s.%s.%s", t->db,
                        t->schema, t->table);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    sink_free(s);
    return rc;
}

uint64_t sink_rows(const struct sink *s)
{
    return s->rows;
}

enum sink_op sink_row_op(const struct batch *in, size_t row)
{
    const struct batch_field *f = &in->schema->fields[2];
    if (batch_is_null(in, 2, row))
        return SINK_OP_OTHER;
    if (f->type == BATCH_STRING) {
        size_t n;
        const uint8_t *p = batch_get_bytes(in, 2, row, &n);
        if (n == 1 && p[0] == 'I')
            return SINK_OP_INSERT;
        if (n == 1 && p[0] == 'U')
            return SINK_OP_UPDATE;
        if (n == 1 && p[0] == 'D')
            return SINK_OP_DELETE;
        return SINK_OP_OTHER;
    }
    if (f->type >= BATCH_INT8 && f->type <= BATCH_INT64) {
        /* CDC __$operation: 1 delete, 2 insert, 3 and 4 update (before, after). */
        switch (batch_get_int(in, 2, row)) {
        case 1:
            return SINK_OP_DELETE;
        case 2:
            return SINK_OP_INSERT;
        case 3:
        case 4:
            return SINK_OP_UPDATE;
        default:
            return SINK_OP_OTHER;
        }
    }
    return SINK_OP_OTHER;
}

/* ---- parts ---- */

static int set_kv(struct sink *s, const char *key, const char *value, struct sl_err *err)
{
    int rc = parquet_writer_add_kv(s->w, key, value);
    if (rc)
        sl_err_set(err, rc, "out of memory writing the footer of \"%s\"",
                   s->parts[s->nparts - 1].rel);
    return rc;
}

static int put_footer(struct sink *s, int part, struct sl_err *err)
{
    char table[1024], from[96], to[96], num[32], ver[16];
    int rc;

    snprintf(table, sizeof table, "%s.%s.%s", s->db, s->schema, s->table);
    watermark_pos_format(&s->run.from, from, sizeof from);
    watermark_pos_format(&s->run.to, to, sizeof to);
    snprintf(num, sizeof num, "%d", part);
    snprintf(ver, sizeof ver, "%d", SINK_FORMAT_VERSION);
    if ((rc = set_kv(s, SINK_KV_TABLE, table, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_RUN_ID, s->run_id, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_FROM, from, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_TO, to, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_PART, num, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_LAST, "false", err)) != 0 ||
        (rc = set_kv(s, SINK_KV_SCHEMA_VERSION, s->schema_version, err)) != 0 ||
        (rc = set_kv(s, SINK_KV_FORMAT, sink_format_name(s->format), err)) != 0 ||
        (rc = set_kv(s, SINK_KV_FORMAT_VERSION, ver, err)) != 0)
        return rc;
    return set_kv(s, SINK_KV_MODE, s->run.full ? "full" : "incremental", err);
}

/* Add parts[nparts] with its names; the file is not created here. */
static int add_part(struct sink *s, struct sl_err *err)
{
    struct sink_part *p, *np;
    struct buf b;
    int n = (int)s->nparts + 1;

    np = sl_realloc(s->parts, (s->nparts + 1) * sizeof *np);
    if (!np)
        return sl_err_set(err, SL_ENOMEM, "out of memory adding a part to %s", s->dir_rel);
    s->parts = np;
    p = &s->parts[s->nparts];
    memset(p, 0, sizeof *p);
    buf_init(&b, 0);
    if (buf_appendf(&b, "%s/%s_part%d.parquet", s->dir_rel, s->stem, n) == 0)
        p->rel = (char *)buf_take(&b, NULL);
    if (buf_appendf(&b, "%s/%s_part%d.parquet", s->dir_abs, s->stem, n) == 0)
        p->final = (char *)buf_take(&b, NULL);
    if (buf_appendf(&b, "%s/.%s_part%d.parquet.tmp", s->dir_abs, s->stem, n) == 0)
        p->tmp = (char *)buf_take(&b, NULL);
    buf_free(&b);
    s->nparts++; /* counted even when incomplete, so sink_free frees the names */
    if (!p->rel || !p->final || !p->tmp)
        return sl_err_set(err, SL_ENOMEM, "out of memory adding a part to %s", s->dir_rel);
    return 0;
}

static int open_part(struct sink *s, struct sl_err *err)
{
    struct sink_part *p;
    int rc;

    if (!s->dir_made) {
        if ((rc = fsio_mkdirs(s->io, s->dir_abs, 0755, err)) != 0)
            return rc;
        s->dir_made = true;
    }
    if ((rc = add_part(s, err)) != 0)
        return rc;
    p = &s->parts[s->nparts - 1];
    if (access(p->final, F_OK) == 0) {
        sl_err_set(err, SL_EEXIST, "cannot write \"%s\": a file of that name exists", p->final);
        sl_err_hint(err, "another run of this table started in the same millisecond; move the "
                         "file away and run again");
        return SL_EEXIST;
    }
    if ((rc = parquet_writer_open(p->tmp, &s->fschema, &s->popt, &s->w, err)) != 0) {
        s->w = NULL;
        return rc;
    }
    return put_footer(s, (int)s->nparts, err);
}

/* Close the part being written (footer, fsync) under its temp name. */
static int close_part(struct sink *s, bool last, struct sl_err *err)
{
    struct sink_part *p = &s->parts[s->nparts - 1];
    struct parquet_writer *w = s->w;
    int rc = 0;

    if (last && (rc = set_kv(s, SINK_KV_LAST, "true", err)) != 0) {
        parquet_writer_abort(w);
        s->w = NULL;
        return rc;
    }
    p->rows = parquet_writer_rows(w);
    s->w = NULL;
    rc = parquet_writer_close(w, &p->bytes, err);
    if (rc == 0)
        p->closed = true;
    return rc;
}

/* A view of rows [r0, r1) of b (no copy): cols are s->slice_cols. */
static void slice(struct sink *s, const struct batch *b, size_t r0, size_t r1, struct batch *v)
{
    memset(v, 0, sizeof *v);
    v->schema = b->schema;
    v->nrows = r1 - r0;
    v->capacity = r1 - r0;
    v->cols = s->slice_cols;
    for (size_t i = 0; i < b->schema->nfields; i++) {
        const struct batch_column *c = &b->cols[i];
        struct batch_column *o = &s->slice_cols[i];
        size_t w = batch_type_width(b->schema->fields[i].type);
        *o = *c;
        if (w)
            o->values = (uint8_t *)c->values + r0 * w;
        if (c->valid)
            o->valid = c->valid + r0;
        if (c->offsets)
            o->offsets = c->offsets + r0;
    }
}

static bool same_layout(const struct batch_schema *a, const struct batch_schema *b)
{
    if (a == b)
        return true;
    if (a->nfields != b->nfields)
        return false;
    for (size_t i = 0; i < a->nfields; i++) {
        const struct batch_field *x = &a->fields[i], *y = &b->fields[i];
        if (x->type != y->type || x->nullable != y->nullable || x->precision != y->precision ||
            x->scale != y->scale)
            return false;
    }
    return true;
}

static int write_rows(struct sink *s, const struct batch *fb, struct sl_err *err)
{
    size_t r = 0;
    int rc;

    while (r < fb->nrows) {
        uint64_t in_part;
        size_t k;
        struct batch v;
        if (s->w && parquet_writer_rows(s->w) >= s->max_file_rows &&
            (rc = close_part(s, false, err)) != 0)
            return rc;
        if (!s->w && (rc = open_part(s, err)) != 0)
            return rc;
        in_part = parquet_writer_rows(s->w);
        k = fb->nrows - r;
        if ((uint64_t)k > s->max_file_rows - in_part)
            k = (size_t)(s->max_file_rows - in_part);
        slice(s, fb, r, r + k, &v);
        if ((rc = parquet_writer_write(s->w, &v, err)) != 0)
            return rc;
        r += k;
    }
    return 0;
}

int sink_write(struct sink *s, const struct batch *b, struct sl_err *err)
{
    const struct batch *fb = NULL;
    int rc;

    if (s->failed)
        return sl_err_set(err, SL_ESTATE, "the output of %s.%s.%s failed earlier", s->db,
                          s->schema, s->table);
    if (!same_layout(b->schema, s->in))
        return sl_err_set(err, SL_EINVAL, "sink: a batch of %s.%s.%s does not have the columns "
                                          "given at open", s->db, s->schema, s->table);
    if (b->nrows == 0)
        return 0;
    if ((rc = s->ops->convert(s, b, &fb, err)) != 0 || (rc = write_rows(s, fb, err)) != 0)
        goto fail;
    for (size_t r = 0; r < b->nrows; r++)
        s->counts[sink_row_op(b, r)]++;
    s->rows += b->nrows;
    return 0;
fail:
    s->failed = rc;
    return rc;
}

/* ---- publishing ---- */

/* Rename tmp to final, refusing to replace an existing file. */
static int rename_new(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* The filesystem lacks RENAME_NOREPLACE: the table lock keeps other
     * sluice runs out, so a check before the rename is enough. */
    if (access(final, F_OK) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, final);
}

static int publish(struct sink *s, struct sl_err *err)
{
    for (size_t i = 0; i < s->nparts; i++) {
        struct sink_part *p = &s->parts[i];
        if (rename_new(p->tmp, p->final) != 0) {
            int e = errno;
            if (e == EEXIST) {
                sl_err_set(err, SL_EEXIST, "cannot publish \"%s\": a file of that name exists",
                           p->final);
                sl_err_hint(err, "another run of this table started in the same millisecond; "
                                 "move the file away and run again");
                return SL_EEXIST;
            }
            return io_fail(err, e, "rename a finished part to", p->final);
        }
        p->published = true;
    }
    return fsio_fsync_dir(s->io, s->dir_abs, err);
}

/* Undo: remove temps and whatever this run renamed. Best effort. */
static void discard(struct sink *s)
{
    bool any = false;
    if (s->w) {
        parquet_writer_abort(s->w);
        s->w = NULL;
    }
    for (size_t i = 0; i < s->nparts; i++) {
        struct sink_part *p = &s->parts[i];
        if (p->published) {
            any |= unlink(p->final) == 0;
            p->published = false;
        } else if (p->tmp) {
            unlink(p->tmp);
        }
    }
    if (any) {
        struct sl_err ignored;
        sl_err_clear(&ignored);
        fsio_fsync_dir(s->io, s->dir_abs, &ignored);
    }
}

static int fill_result(struct sink *s, struct sink_result *res, struct sl_err *err)
{
    res->files = sl_calloc(s->nparts ? s->nparts : 1, sizeof *res->files);
    if (!res->files)
        return sl_err_set(err, SL_ENOMEM, "out of memory listing the files of %s", s->dir_rel);
    for (size_t i = 0; i < s->nparts; i++) {
        res->files[i].path = s->parts[i].rel;
        s->parts[i].rel = NULL; /* moved */
        res->files[i].rows = s->parts[i].rows;
        res->files[i].bytes = s->parts[i].bytes;
        res->bytes += s->parts[i].bytes;
    }
    res->nfiles = s->nparts;
    res->rows = s->rows;
    res->inserts = s->counts[SINK_OP_INSERT];
    res->updates = s->counts[SINK_OP_UPDATE];
    res->deletes = s->counts[SINK_OP_DELETE];
    return 0;
}

int sink_finish(struct sink *s, struct sink_result *res, struct sl_err *err)
{
    int rc = 0;

    memset(res, 0, sizeof *res);
    if (s->failed)
        rc = sl_err_set(err, SL_ESTATE, "the output of %s.%s.%s failed earlier", s->db,
                        s->schema, s->table);
    if (!rc && s->w)
        rc = close_part(s, true, err);
    /* The result is allocated before publishing so that nothing can fail
     * between the durable rename and returning 0. */
    if (!rc)
        rc = fill_result(s, res, err);
    if (!rc && s->nparts)
        rc = publish(s, err);
    if (rc) {
        sink_result_free(res);
        discard(s);
    }
    sink_free(s);
    return rc;
}

void sink_abort(struct sink *s)
{
    if (!s)
        return;
    discard(s);
    sink_free(s);
}

void sink_result_free(struct sink_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->files && i < r->nfiles; i++)
        sl_free(r->files[i].path);
    sl_free(r->files);
    memset(r, 0, sizeof *r);
}
