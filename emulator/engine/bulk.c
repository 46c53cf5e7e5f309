/*
 * bulk: INSERT BULK + the bulk load message (TDS 0x07).
 *
 * `INSERT BULK t (cols...)` (bulk_prepare) resolves the target and leaves
 * it in the session; engine_bulk_open maps the client's COLMETADATA
 * columns to table columns by name; engine_bulk_row converts and inserts
 * each row through dml.c; engine_bulk_close commits. All rows of one bulk
 * message are one unit: a failing row stops the load, and close rolls the
 * whole message back (SQL Server's behaviour without ROWS_PER_BATCH), then
 * reports the first error and DONE(ERROR). Outside a user transaction the
 * message is its own SQLite transaction; inside one, a savepoint.
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "eng.h"

struct engine_bulk {
    struct engine_session *s;
    struct table_meta *tm;
    struct dml_writer *w;
    int *map;
    struct tl_type *types;
    size_t ncols;
    uint64_t rows;
    struct sqlerr err;
    bool failed;
};

int bulk_prepare(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, e);
    if (!tm || sec_check_object(s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, "INSERT", e))
        return -1;
    s->bulk.dbid = tm->dbid;
    s->bulk.object_id = tm->object_id;
    s->bulk_ready = true;
    return 0;
}

int engine_bulk_open(struct engine_session *s, const struct engine_column *cols, size_t ncols,
                     const struct engine_out *out, void *ctx, struct engine_bulk **bulkp)
{
    struct sqlerr e = {0};
    s->out = out;
    s->ctx = ctx;
    s->closed = false;
    s->cancelled = false;
    arena_reset(&s->ba);
    arena_reset(&s->ra);
    *bulkp = NULL;
    if (!s->bulk_ready) {
        sqlerr_set(&e, 4022, 16, "Bulk load data was expected but not sent. The batch will be terminated.");
        exec_msg(s, e.number, 16, 1, 1, e.text, true);
        exec_done(s, ENGINE_DONE_ERROR, 0, 0);
        return SL_ESTATE;
    }
    struct engine_bulk *b = sl_calloc(1, sizeof(*b));
    if (!b)
        return SL_ENOMEM;
    b->s = s;
    b->tm = catalog_table_by_id(s, &s->ba, s->bulk.dbid, s->bulk.object_id);
    b->ncols = ncols;
    if (!b->tm) {
        sqlerr_set(&b->err, 208, 16, "Invalid object name.");
        b->failed = true;
        *bulkp = b;
        return 0;
    }
    b->map = arena_alloc(&s->ba, sizeof(int) * (size_t)(b->tm->ncols ? b->tm->ncols : 1));
    b->types = arena_alloc(&s->ba, sizeof(struct tl_type) * (ncols ? ncols : 1));
    for (int i = 0; i < b->tm->ncols; i++) {
        b->map[i] = -1;
        for (size_t k = 0; k < ncols; k++)
            if (ieq(cols[k].name, b->tm->cols[i].name))
                b->map[i] = (int)k;
    }
    for (size_t k = 0; k < ncols; k++)
        b->types[k] = cols[k].type;
    if (txn_lock(s, b->tm->dbid, &e) || txn_stmt_begin(s, &e) ||
        dml_writer_open(s, b->tm, b->map, (int)ncols, true, &b->w, &e)) {
        b->err = e;
        b->failed = true;
    }
    *bulkp = b;
    return 0;
}

int engine_bulk_row(struct engine_bulk *b, const struct tl_value *vals, size_t n)
{
    if (!b || b->failed)
        return 0;
    if (n != b->ncols) {
        sqlerr_set(&b->err, 4815, 16, "Received an invalid column length from the bcp client.");
        b->failed = true;
        return 0;
    }
    arena_reset(&b->s->ra);
    if (dml_writer_row(b->w, vals, b->types, &b->err)) {
        b->failed = true;
        return 0;
    }
    b->rows++;
    return 0;
}

int engine_bulk_close(struct engine_bulk *b, bool commit)
{
    if (!b)
        return 0;
    struct engine_session *s = b->s;
    bool ok = commit && !b->failed;
    if (ok && b->w && dml_writer_finish_public(b->w)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), &b->err);
        ok = false;
        b->failed = true;
    }
    dml_writer_close(b->w);
    txn_stmt_end(s, ok);
    struct sqlerr e2 = {0};
    txn_finish(s, ok, &e2);
    int rc = 0;
    if (b->failed) {
        exec_msg(s, b->err.number, b->err.severity ? b->err.severity : 16, b->err.state ? b->err.state : 1, 1,
                 b->err.text, true);
        /* the load is one statement, rolled back as a whole */
        if (b->err.number != 208 && b->err.number != 4815)
            exec_msg(s, 3621, 0, 0, 1, "The statement has been terminated.", false);
        exec_done(s, ENGINE_DONE_ERROR, 0, 0);
    } else if (commit) {
        bool nc = s->nocount;
        s->nocount = false;
        exec_done(s, ENGINE_DONE_COUNT, ENGINE_CMD_INSERT, b->rows);
        s->nocount = nc;
    }
    if (s->closed)
        rc = SL_ECLOSED;
    sl_free(b);
    return rc;
}
