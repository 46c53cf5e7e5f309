/*
 * table: one table's run, the state machine of engine.h:
 *
 *   lock ─▶ recover ─▶ attempt* ─▶ history (failed) ─▶ unlock
 *
 * and one attempt, the procedure of spec/ct-cdc.md §A9:
 *
 *   connect ─▶ discover (catalog, schema.json) ─▶ SNAPSHOT transaction ─▶
 *   versions (current, minimum valid) ─▶ plan ─▶ read (full or CHANGETABLE
 *   LEFT JOIN) into the sink ─▶ COMMIT ─▶ sink_finish (files durable) ─▶
 *   watermark ─▶ history ─▶ manifest
 *
 * An attempt that fails before the watermark is stored leaves nothing
 * under a final name (sink_abort / sink_finish clean up) and no state
 * change but schema.json (which records layouts seen, whatever the
 * outcome). A transient failure closes the connection and tries again
 * after a backoff; once the watermark is stored there is nothing left to
 * retry.
 *
 * Mode full reads outside a transaction: the version is read first, then
 * the table (spec §A9 "without snapshot isolation, read the version
 * before the full scan"), so it needs neither change tracking nor
 * ALLOW_SNAPSHOT_ISOLATION, nor a primary key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/conn.h"
#include "engine/internal.h"
#include "engine/table_int.h"
#include "sink/sink.h"
#include "source/applock.h"
#include "source/catalog.h"
#include "source/ct.h"
#include "source/odbc.h"
#include "source/reader.h"
#include "state/clock.h"
#include "state/history.h"
#include "state/lock.h"
#include "state/schema.h"
#include "state/watermark.h"

static const char *cfg_db(const struct table_run *r)
{
    return r->ref->db->name;
}

/* "20261121T100000Z-1a2b3c4d": time of the run plus 32 random bits. */
void table_make_run_id(int64_t ms, char *out, size_t cap)
{
    char iso[CLOCK_ISO_LEN];
    uint32_t rnd = 0;
    clock_iso8601(ms, iso);
    if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        rnd = (uint32_t)ms ^ (uint32_t)(uintptr_t)out;
    /* iso: YYYY-MM-DDTHH:MM:SS.mmmZ */
    snprintf(out, cap, "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%08" PRIx32, iso, iso + 5, iso + 8, iso + 11,
             iso + 14, iso + 17, rnd);
}

/* ---- connection --------------------------------------------------------- */

static void drop_conn(struct worker *w)
{
    odbc_close(w->conn);
    w->conn = NULL;
    w->conn_db = NULL;
}

static int ensure_conn(struct table_run *r, struct sl_err *err)
{
    struct worker *w = r->w;
    if (w->conn && w->conn_db && strcmp(w->conn_db, cfg_db(r)) == 0)
        return 0;
    drop_conn(w);
    /* One attempt here: the table's retry loop owns the backoff. */
    int ret = conn_open(r->opt->cfg, cfg_db(r), NULL, &w->conn, err);
    if (!ret)
        w->conn_db = cfg_db(r);
    return ret;
}

/*
 * The cross-machine lock (source/applock.h), taken in the table's database
 * for the attempt and released after it; a dropped connection releases it
 * too.
 */
static int take_applock(struct table_run *r, struct sl_err *err)
{
    bool held = false;
    int ret = applock_get(r->w->conn, r->applock, &held, err);
    if (!ret && !held) {
        r->applock_busy = true;
        ret = sl_err_set(err, SL_EBUSY,
                         "table %s is being synced by another sluice (application lock %s is held "
                         "in database %s)",
                         r->name, r->applock, cfg_db(r));
        sl_err_hint(err, "wait for that run to finish; the lock ends with its session");
    }
    return ret;
}

/* ---- discovery ---------------------------------------------------------- */

/* The declared type as schema.json records it: "decimal(10,2)", "nvarchar(max)". */
static void sql_type_text(const struct catalog_column *c, char *out, size_t cap)
{
    const char *t = c->type_name;
    bool wide = strcmp(t, "nchar") == 0 || strcmp(t, "nvarchar") == 0;
    if (wide || strcmp(t, "char") == 0 || strcmp(t, "varchar") == 0 ||
        strcmp(t, "binary") == 0 || strcmp(t, "varbinary") == 0) {
        if (c->max_length < 0)
            snprintf(out, cap, "%s(max)", t);
        else
            snprintf(out, cap, "%s(%d)", t, wide ? c->max_length / 2 : c->max_length);
    } else if (strcmp(t, "decimal") == 0 || strcmp(t, "numeric") == 0) {
        snprintf(out, cap, "%s(%d,%d)", t, c->precision, c->scale);
    } else if (strcmp(t, "datetime2") == 0 || strcmp(t, "datetimeoffset") == 0 ||
               strcmp(t, "time") == 0) {
        snprintf(out, cap, "%s(%d)", t, c->scale);
    } else {
        snprintf(out, cap, "%s", t);
    }
}

static void log_schema_change(const struct table_run *r, const struct schema_change *ch)
{
    if (!ch->changed || ch->first)
        return;
    for (size_t i = 0; i < ch->nadded; i++)
        sl_log_info(r->name, "column %s was added (schema version %s)", ch->added[i],
                    r->schema_version);
    for (size_t i = 0; i < ch->ndropped; i++)
        sl_log_info(r->name, "column %s was dropped (schema version %s)", ch->dropped[i],
                    r->schema_version);
    for (size_t i = 0; i < ch->nretyped; i++)
        sl_log_info(r->name, "column %s changed type or nullability (schema version %s)",
                    ch->retyped[i], r->schema_version);
    if (ch->pk_changed)
        sl_log_warn(r->name, "the primary key changed (schema version %s)", r->schema_version);
}

/* Did the key change since the schema the watermark was written with? */
static int pk_differs_from_watermark(struct table_run *r, const char *dir, const char *const *pk,
                                     size_t npk, bool *differs, struct sl_err *err)
{
    const char **old = NULL;
    size_t nold = 0;
    bool found = false;
    int ret;

    *differs = false;
    if (!r->have_wm || !r->wm.schema_version || strcmp(r->wm.schema_version, r->schema_version) == 0)
        return 0;
    ret = schema_primary_key(dir, r->wm.schema_version, &r->arena, &old, &nold, &found, err);
    if (ret || !found)
        return ret;
    *differs = nold != npk;
    for (size_t i = 0; !*differs && i < npk; i++)
        *differs = strcmp(old[i], pk[i]) != 0;
    return 0;
}

/* Record the columns in schema.json and work out whether the key changed. */
static int track_schema(struct table_run *r, const struct catalog_table *t, struct sl_err *err)
{
    struct schema_column *cols = arena_alloc(&r->arena, (t->ncols + 1) * sizeof(*cols));
    const char **pk = arena_alloc(&r->arena, (t->npk + 1) * sizeof(*pk));
    struct schema_change ch;
    struct buf dir;
    char now[CLOCK_ISO_LEN];
    bool differs = false;
    int ret = 0;

    buf_init(&dir, 0);
    if (!cols || !pk)
        return sl_err_set(err, SL_ENOMEM, "table %s: out of memory", r->name);
    for (size_t i = 0; i < t->ncols; i++) {
        char type[64];
        sql_type_text(&t->cols[i], type, sizeof(type));
        cols[i].name = t->cols[i].name;
        cols[i].sql_type = arena_strdup(&r->arena, type);
        cols[i].nullable = t->cols[i].nullable;
        cols[i].ordinal = t->cols[i].column_id;
    }
    for (size_t k = 0; k < t->npk; k++)
        pk[k] = t->cols[t->pk[k]].name;
    ret = watermark_dir(r->opt->cfg->storage.root, cfg_db(r), r->ref->schema->name,
                        r->ref->table->name, &dir, err);
    if (!ret)
        ret = schema_track(r->opt->io, (const char *)dir.data, cols, t->ncols, pk, t->npk,
                           clock_iso8601(clock_now_ms(), now), &r->arena, r->schema_version, &ch,
                           err);
    if (!ret)
        ret = pk_differs_from_watermark(r, (const char *)dir.data, pk, t->npk, &differs, err);
    if (!ret) {
        log_schema_change(r, &ch);
        r->pk_changed = (ch.pk_changed || differs) && r->have_wm;
    }
    buf_free(&dir);
    return ret;
}

static int discover(struct table_run *r, struct catalog_table *t, struct sl_err *err)
{
    struct sl_err e;
    int ret;

    sl_err_clear(&e);
    ret = catalog_get_table(r->w->conn, r->ref->schema->name, r->ref->table->name, t, &e);
    if (ret == SL_ENOTFOUND) {
        sl_err_set(err, ret, "table %s does not exist in database %s, or the login cannot see it",
                   r->name, cfg_db(r));
        sl_err_hint(err, "check the name under databases.%s.schemas.%s.tables in the config, and "
                         "grant the login SELECT and VIEW CHANGE TRACKING on the table",
                    cfg_db(r), r->ref->schema->name);
        return ret;
    }
    if (ret) {
        if (err && !err->code)
            *err = e;
        return ret;
    }
    if (t->npk == 0 && r->ref->table->mode != CONFIG_MODE_FULL) {
        sl_err_set(err, SL_ESTATE, "table %s has no primary key", r->name);
        sl_err_hint(err, "change tracking requires a primary key; add one, or use mode: full");
        return SL_ESTATE;
    }
    return track_schema(r, t, err);
}

/* ---- plan --------------------------------------------------------------- */

static int load_watermark(struct table_run *r, struct sl_err *err)
{
    const struct config *cfg = r->opt->cfg;
    return watermark_load(cfg->storage.root, cfg_db(r), r->ref->schema->name,
                          r->ref->table->name, &r->arena, &r->wm, &r->have_wm, err);
}

static int check_ct_watermark(struct table_run *r, struct sl_err *err)
{
    int ret = 0;
    if (r->have_wm && r->wm.pos.kind != WM_POS_CT) {
        ret = sl_err_set(err, SL_ESTATE,
                         "table %s: the watermark is a CDC position, but the table syncs with "
                         "change tracking",
                         r->name);
        sl_err_hint(err, "set capture: cdc for the table, or delete its watermarks.json to reload "
                         "it in full with change tracking");
    }
    return ret;
}

/*
 * CHANGE_TRACKING_MIN_VALID_VERSION is NULL both for an untracked table
 * and for a login without VIEW CHANGE TRACKING on it (spec §A3). When the
 * catalog shows the table tracked, say which it is: a missing grant.
 */
static int explain_untracked(struct table_run *r, const struct catalog_table *t,
                             struct sl_err *err)
{
    bool db_on = false, table_on = false;
    struct sl_err e;

    sl_err_clear(&e);
    if (catalog_ct_status(r->w->conn, t, &db_on, &table_on, &e) != 0 || !table_on)
        return 0; /* plan_decide reports "not enabled on the table" */
    sl_err_set(err, SL_ESTATE,
               "table %s: the login may not read its change tracking data (the table is "
               "tracked, but CHANGE_TRACKING_MIN_VALID_VERSION is NULL for this login)",
               r->name);
    sl_err_hint(err, "GRANT VIEW CHANGE TRACKING ON %s TO the login's user in database %s",
                t->quoted, cfg_db(r));
    return SL_ESTATE;
}

/*
 * Inside the snapshot (or, for mode full, before the scan): the versions,
 * then the plan. Fills r->version with the position the run ends at.
 */
static int decide(struct table_run *r, const struct catalog_table *t, struct plan *p,
                  bool *in_tx, struct sl_err *err)
{
    struct plan_input in = {.table = r->name, .quoted = t->quoted, .db = cfg_db(r),
                            .mode = r->ref->table->mode, .have_watermark = r->have_wm,
                            .watermark = r->wm.pos.version, .pk_changed = r->pk_changed};
    bool cur_null = true, min_null = true;
    int ret = 0;

    if (in.mode != CONFIG_MODE_FULL) {
        ret = ct_begin(r->w->conn, err);
        *in_tx = ret == 0;
    }
    if (!ret)
        ret = ct_versions(r->w->conn, t, &in.current, &cur_null, &in.min_valid, &min_null, err);
    if (ret)
        return ret;
    in.db_tracked = !cur_null;
    in.table_tracked = !min_null;
    if (in.mode != CONFIG_MODE_FULL && in.db_tracked && !in.table_tracked) {
        ret = explain_untracked(r, t, err);
        if (ret)
            return ret;
    }
    if (in.mode != CONFIG_MODE_FULL && in.table_tracked) {
        bool begin_null = true;
        ret = ct_begin_version(r->w->conn, t, &r->begin_version, &begin_null, err);
        if (ret)
            return ret;
        r->has_begin = !begin_null;
        in.tracking_reset = r->have_wm && r->wm.has_ct_begin && r->has_begin &&
                            r->wm.ct_begin_version != r->begin_version;
    }
    ret = plan_decide(&in, p, err);
    if (ret)
        return ret;
    /* Mode full on a database without change tracking: version 0 stands
     * for "before any tracked change". */
    r->version = in.db_tracked ? in.current : 0;
    r->res->plan = p->kind;
    r->res->reload = p->reload;
    snprintf(r->res->reason, sizeof(r->res->reason), "%s", p->reason);
    if (p->reload)
        sl_log_warn(r->name, "%s", p->reason);
    else
        sl_log_info(r->name, "%s: %s", plan_kind_name(p->kind), p->reason);
    return 0;
}

/* ---- read and write ----------------------------------------------------- */

static void count_ops(struct table_run *r, const struct batch *b)
{
    for (size_t i = 0; i < b->nrows; i++) {
        size_t len = 0;
        const uint8_t *op = batch_get_bytes(b, 2, i, &len);
        char c = len ? (char)op[0] : 'I';
        if (c == 'D')
            r->res->deletes++;
        else if (c == 'U')
            r->res->updates++;
        else
            r->res->inserts++;
    }
    r->res->rows += (int64_t)b->nrows;
}

void table_sink_setup(const struct table_run *r, struct sink_options *so, struct sink_table *st,
                      struct sink_run *run)
{
    const struct config_storage *s = &r->opt->cfg->storage;

    memset(so, 0, sizeof(*so));
    so->root = s->root;
    so->format = s->output_format == CONFIG_OUTPUT_UNIFIED ? SINK_UNIFIED : SINK_PER_TABLE;
    so->codec = engine_codec(s->compression);
    so->codec_level = s->compression_level;
    so->row_group_rows = (size_t)s->row_group_size;
    so->max_file_rows = r->opt->max_file_rows;
    so->soft_delete = r->ref->table->soft_delete;
    so->io = r->opt->io;
    st->db = cfg_db(r);
    st->schema = r->ref->schema->name;
    st->table = r->ref->table->name;
    st->catalog = r->ref->db->uc_catalog;
    memset(run, 0, sizeof(*run));
    run->run_id = r->run_id;
    run->started_ms = r->started_ms;
    run->schema_version = r->schema_version;
}

/* Stream every batch of rd into sk. */
static int pump(struct table_run *r, struct reader *rd, struct sink *sk, struct sl_err *err)
{
    struct engine_progress *pg = r->w->sh->progress;
    uint64_t nbatch = 0;
    int ret;

    for (;;) {
        struct batch *b = NULL;
        char point[32];
        ret = reader_next(rd, &b, err);
        if (ret || !b)
            break;
        count_ops(r, b);
        ret = sink_write(sk, b, err);
        if (ret)
            break;
        if (pg)
            atomic_fetch_add(&pg->rows, b->nrows);
        snprintf(point, sizeof(point), "batch:%" PRIu64, ++nbatch);
        engine_crash_point(r->opt, r->name, point);
    }
    return ret;
}

/*
 * Read the plan's rows into a new sink and make them durable. The
 * snapshot transaction is committed once everything is read; the files
 * are published after that. *res is the published files (caller frees).
 */
static int transfer(struct table_run *r, const struct catalog_table *t, const struct plan *p,
                    bool *in_tx, struct sink_result *res, struct sl_err *err)
{
    struct reader_options ro = {.batch_rows = r->opt->batch_rows};
    struct odbc_stmt *stmt = NULL;
    struct reader *rd = NULL;
    struct sink *sk = NULL;
    struct sink_options so;
    struct sink_table st;
    struct sink_run run;
    int ret;

    r->res->rows = r->res->inserts = r->res->updates = r->res->deletes = 0;
    table_sink_setup(r, &so, &st, &run);
    if (p->kind == PLAN_INCREMENTAL)
        run.from = r->wm.pos;
    watermark_pos_ct(&run.to, r->version);
    run.full = p->kind == PLAN_FULL;
    r->res->from = run.from;
    r->res->to = run.to;
    if (p->kind == PLAN_FULL)
        ret = ct_open_full(r->w->conn, t, r->version, NULL, &ro, &stmt, &rd, err);
    else
        ret = ct_open_changes(r->w->conn, t, r->wm.pos.version, NULL, &ro, &stmt, &rd, err);
    if (!ret && r->opt->cfg->storage.output_format == CONFIG_OUTPUT_JSONL) {
        ret = cdc_table_stream_ct(r, rd, p->kind == PLAN_FULL, t->npk, err);
    } else {
        if (!ret)
            ret = sink_open(&so, &st, &run, reader_schema(rd), t->npk, &sk, err);
        if (!ret)
            ret = pump(r, rd, sk, err);
    }
    reader_destroy(rd);
    odbc_stmt_destroy(stmt);
    if (!ret && *in_tx) {
        ret = ct_commit(r->w->conn, err);
        *in_tx = false;
    }
    if (ret) {
        sink_abort(sk);
        return ret;
    }
    ret = sk ? sink_finish(sk, res, err) : 0; /* jsonl: already durable */
    if (!ret)
        engine_crash_point(r->opt, r->name, "finished");
    return ret;
}

/* ---- commit ------------------------------------------------------------- */

static void history_base(const struct table_run *r, struct history_entry *h, char *finished)
{
    memset(h, 0, sizeof(*h));
    h->run_id = r->run_id;
    h->started_at = r->started_at;
    h->finished_at = clock_iso8601(clock_now_ms(), finished);
    if (r->res->plan)
        h->mode = r->res->plan == PLAN_INCREMENTAL ? WM_MODE_INCREMENTAL : WM_MODE_FULL;
    else /* failed before a plan: the mode the run would most likely have had */
        h->mode = r->have_wm && r->ref->table->mode != CONFIG_MODE_FULL ? WM_MODE_INCREMENTAL
                                                                         : WM_MODE_FULL;
    h->from = r->res->from;
    h->inserts = r->res->inserts;
    h->updates = r->res->updates;
    h->deletes = r->res->deletes;
}

/* files durable → watermark → history → manifest (docs/state.md). */
int table_commit_state(struct table_run *r, const struct sink_result *res, struct sl_err *err)
{
    const struct config *cfg = r->opt->cfg;
    const char **files = arena_alloc(&r->arena, (res->nfiles + 1) * sizeof(*files));
    char now[CLOCK_ISO_LEN], finished[CLOCK_ISO_LEN];
    struct watermark wm;
    struct history_entry h;
    int ret;

    if (!files)
        return sl_err_set(err, SL_ENOMEM, "table %s: out of memory", r->name);
    for (size_t i = 0; i < res->nfiles; i++)
        files[i] = res->files[i].path;
    memset(&wm, 0, sizeof(wm));
    wm.db = cfg_db(r);
    wm.schema = r->ref->schema->name;
    wm.table = r->ref->table->name;
    wm.pos = r->res->to;
    wm.mode = r->res->plan == PLAN_INCREMENTAL ? WM_MODE_INCREMENTAL : WM_MODE_FULL;
    wm.run_id = r->run_id;
    wm.rows = r->res->rows;
    wm.duration_ms = clock_now_ms() - r->started_ms;
    wm.files = files;
    wm.nfiles = res->nfiles;
    wm.schema_version = r->schema_version;
    wm.updated_at = clock_iso8601(clock_now_ms(), now);
    wm.has_ct_begin = r->has_begin;
    wm.ct_begin_version = r->begin_version;
    ret = watermark_store(r->opt->io, cfg->storage.root, &wm, err);
    if (ret)
        return ret;
    r->committed = true;
    engine_crash_point(r->opt, r->name, "watermark");
    history_base(r, &h, finished);
    h.status = HISTORY_OK;
    h.to = r->res->to;
    h.files = files;
    h.nfiles = res->nfiles;
    h.bytes = (int64_t)res->bytes;
    ret = history_append(r->opt->io, cfg->storage.root, wm.db, wm.schema, wm.table, &h, err);
    if (ret)
        return ret;
    engine_crash_point(r->opt, r->name, "history");
    ret = publish_manifest(r->w->sh, err);
    if (!ret)
        engine_crash_point(r->opt, r->name, "manifest");
    return ret;
}

/* ---- one attempt, and the retry loop ------------------------------------ */

static int attempt(struct table_run *r, struct sl_err *err)
{
    struct catalog_table t;
    struct sink_result res;
    struct plan p;
    bool in_tx = false, use_cdc = false;
    int ret;

    catalog_table_init(&t);
    memset(&res, 0, sizeof(res));
    ret = load_watermark(r, err);
    if (!ret)
        ret = ensure_conn(r, err);
    if (!ret)
        ret = take_applock(r, err);
    if (!ret)
        ret = discover(r, &t, err);
    if (!ret)
        ret = cdc_table_capture(r, &t, &use_cdc, err);
    if (!ret && use_cdc) {
        ret = cdc_table_run(r, &t, err); /* CDC plans, reads and commits itself */
        goto done;
    }
    if (!ret)
        ret = check_ct_watermark(r, err);
    if (!ret)
        ret = decide(r, &t, &p, &in_tx, err);
    if (!ret)
        ret = transfer(r, &t, &p, &in_tx, &res, err);
    if (!ret) {
        r->res->nfiles = res.nfiles;
        r->res->bytes = res.bytes;
        ret = table_commit_state(r, &res, err);
    }
done:
    /* Any failure may leave the session mid-transaction or broken: a new
     * connection is cheaper than working out which (and it ends the
     * application lock with the session). */
    if (ret) {
        drop_conn(r->w);
    } else {
        struct sl_err e;
        sl_err_clear(&e);
        if (applock_release(r->w->conn, r->applock, &e) != 0) {
            sl_log_warn(r->name, "%s; reconnecting to release it", e.msg);
            drop_conn(r->w);
        }
    }
    sink_result_free(&res);
    catalog_table_free(&t);
    return ret;
}

static void record_failure(struct table_run *r)
{
    struct history_entry h;
    struct sl_err e;
    char finished[CLOCK_ISO_LEN], text[SL_ERR_MSG_MAX * 2 + 16];

    sl_err_clear(&e);
    history_base(r, &h, finished);
    h.status = HISTORY_FAILED;
    h.from = r->have_wm ? r->wm.pos : (struct watermark_pos){.kind = WM_POS_NONE};
    h.inserts = h.updates = h.deletes = 0;
    /* The message and hint only: neither ever holds a password or a
     * connection string (config and odbc guarantee it). */
    snprintf(text, sizeof(text), "%s%s%s", r->res->err.msg, r->res->err.hint[0] ? "; hint: " : "",
             r->res->err.hint);
    h.error = text;
    if (history_append(r->opt->io, r->opt->cfg->storage.root, cfg_db(r), r->ref->schema->name,
                       r->ref->table->name, &h, &e) != 0)
        sl_log_error(r->name, "cannot record the failure in sync_history.jsonl: %s", e.msg);
}

static void run_attempts(struct table_run *r)
{
    const struct retry_policy *pol = &r->opt->retry;
    int max = pol->attempts > 0 ? pol->attempts : 1;

    for (int n = 1;; n++) {
        sl_err_clear(&r->res->err);
        arena_reset(&r->arena);
        r->have_wm = false;
        r->has_begin = false;
        r->res->plan = 0; /* an earlier attempt's plan says nothing about this one */
        r->res->reload = false;
        r->res->from = r->res->to = (struct watermark_pos){.kind = WM_POS_NONE};
        r->res->attempts = n;
        if (attempt(r, &r->res->err) == 0) {
            r->res->status = ENGINE_OK;
            return;
        }
        r->res->status = r->applock_busy ? ENGINE_SKIPPED : ENGINE_FAILED;
        if (r->applock_busy || r->committed || n >= max || !retry_transient(&r->res->err))
            return;
        int ms = retry_delay_ms(pol, n + 1, &r->w->seed);
        sl_log_warn(r->name, "%s; transient, attempt %d of %d in %d ms", r->res->err.msg, n + 1,
                    max, ms);
        retry_sleep_ms(ms);
    }
}

static void log_outcome(const struct table_run *r)
{
    const struct engine_result *res = r->res;
    char from[80], to[80];

    if (res->status == ENGINE_SKIPPED) {
        sl_log_warn(r->name, "skipped: %s", res->err.msg);
        return;
    }
    if (res->status == ENGINE_FAILED) {
        sl_log_error(r->name, "failed: %s", res->err.msg);
        return;
    }
    watermark_pos_format(&res->from, from, sizeof(from));
    watermark_pos_format(&res->to, to, sizeof(to));
    sl_log_info(r->name,
                "ok: %s, %lld rows (%lld inserts, %lld updates, %lld deletes), %zu file(s), %s -> "
                "%s, %.1f s",
                plan_kind_name(res->plan), (long long)res->rows, (long long)res->inserts,
                (long long)res->updates, (long long)res->deletes, res->nfiles, from, to,
                (double)res->duration_ms / 1000.0);
}

void table_sync(struct worker *w, const struct table_ref *ref, struct engine_result *res)
{
    const struct engine_options *opt = w->sh->opt;
    struct table_run r;
    struct table_lock *lock = NULL;
    bool adopted = false;

    memset(&r, 0, sizeof(r));
    r.w = w;
    r.opt = opt;
    r.ref = ref;
    r.res = res;
    arena_init(&r.arena, 0, 0);
    snprintf(r.name, sizeof(r.name), "%s.%s.%s", ref->db->name, ref->schema->name,
             ref->table->name);
    r.started_ms = clock_now_ms();
    clock_iso8601(r.started_ms, r.started_at);
    table_make_run_id(r.started_ms, r.run_id, sizeof(r.run_id));
    snprintf(r.applock, sizeof(r.applock), "sluice:%s.%s", ref->schema->name, ref->table->name);
    if (lock_open(opt->io, opt->cfg->storage.root, ref->db->name, ref->schema->name,
                  ref->table->name, r.started_at, &lock, &res->err) != 0) {
        res->status = res->err.code == SL_EBUSY ? ENGINE_SKIPPED : ENGINE_FAILED;
        goto out;
    }
    if (recover_table(opt, ref->db->name, ref->schema->name, ref->table->name, r.name, &adopted,
                      &res->err) != 0) {
        res->status = ENGINE_FAILED;
        record_failure(&r);
        goto out;
    }
    if (adopted) {
        struct sl_err e;
        sl_err_clear(&e);
        if (publish_manifest(w->sh, &e) != 0)
            sl_log_warn(r.name, "%s", e.msg);
    }
    sl_log_debug(r.name, "run %s started", r.run_id);
    run_attempts(&r);
    if (res->status == ENGINE_FAILED && !r.committed)
        record_failure(&r);
out:
    res->duration_ms = clock_now_ms() - r.started_ms;
    log_outcome(&r);
    lock_close(lock);
    arena_free(&r.arena);
}
