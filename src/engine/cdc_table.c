/*
 * cdc_table: one table's CDC attempt, after table.c has connected, taken
 * the locks and discovered the table (table_int.h):
 *
 *   plan (instances, §B7 choice, §B6 window) ─▶ read (full load in a
 *   SNAPSHOT transaction, or the changes of one instance) into the sink ─▶
 *   sink_finish ─▶ table_commit_state ─▶ (again when an older instance
 *   was finished first)
 *
 * Positions: the watermark is (start_lsn, seqval) in hex (state/watermark).
 * Every step reads whole windows [from, to] of the server, so a stored
 * position always ends a transaction; seqval is then all zeros, and the
 * next step starts at fn_cdc_increment_lsn(start_lsn).
 *
 * Instance switch (§B7): while the watermark's next LSN lies before the
 * newest started instance's start_lsn, the older instance is read over
 * [next, decrement(newer start)] and committed; the newer one is then read
 * from its start_lsn. Each change is in exactly one of the two windows.
 * A step has one column set, so the two windows never share a file.
 *
 * Full load: fn_cdc_get_max_lsn() is read inside the snapshot, then the
 * table; the stream continues from increment(max). Changes committed
 * before the snapshot but captured after it arrive once more in the
 * stream (spec §B6: applying them is idempotent).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/lsn.h"
#include "engine/table_int.h"
#include "sink/jsonl.h"
#include "sink/sink.h"
#include "source/catalog.h"
#include "source/cdc.h"
#include "source/ct.h"
#include "source/odbc.h"
#include "source/reader.h"

#define ZERO_SEQVAL "00000000000000000000"
#define MAX_STEPS 4 /* an instance switch needs 2; more means the server keeps moving */

enum step_kind { STEP_FULL = 1, STEP_CHANGES, STEP_NOTHING };

/* What one step reads, decided by plan_step. */
struct cdc_step {
    enum step_kind kind;
    const struct cdc_instance *ci; /* read through this instance */
    struct lsn from, to;           /* STEP_CHANGES: the window; STEP_NOTHING: to = last */
    bool more;                     /* an older instance is finished: plan again after commit */
    bool reload;                   /* STEP_FULL replacing a watermark */
    char reason[400];
};

static const char *cfg_db(const struct table_run *r)
{
    return r->ref->db->name;
}

/* ---- capture ------------------------------------------------------------ */

int cdc_table_capture(struct table_run *r, const struct catalog_table *t, bool *use_cdc,
                      struct sl_err *err)
{
    const struct config_table *ct = r->ref->table;
    struct cdc_instance *v = NULL;
    int64_t cur = 0, min = 0;
    bool cur_null = true, min_null = true;
    struct sl_err e;
    size_t n = 0;
    int ret;

    *use_cdc = ct->capture == CONFIG_CAPTURE_CDC;
    if (ct->capture != CONFIG_CAPTURE_AUTO)
        return 0;
    if (r->have_wm) {
        *use_cdc = r->wm.pos.kind == WM_POS_CDC;
        return 0;
    }
    ret = ct_versions(r->w->conn, t, &cur, &cur_null, &min, &min_null, err);
    if (ret || !min_null)
        return ret;
    sl_err_clear(&e);
    ret = cdc_instances(r->w->conn, t, &r->arena, &v, &n, &e);
    if (ret && e.source_code == 208) /* no cdc schema: CDC is off for the database */
        ret = 0, n = 0;
    if (ret) {
        *err = e;
        return ret;
    }
    /* Neither: the Change Tracking path explains what is missing (CT off,
     * or the login may not read its data) with the statement that fixes it. */
    *use_cdc = n > 0;
    sl_log_debug(r->name, "capture auto: %s", *use_cdc ? "cdc" : "ct");
    return 0;
}

/* ---- plan --------------------------------------------------------------- */

static int last_position(struct table_run *r, struct lsn *last, struct sl_err *err)
{
    if (r->wm.pos.kind != WM_POS_CDC) {
        sl_err_set(err, SL_ESTATE,
                   "table %s: the watermark is a change tracking version, but the table syncs "
                   "with CDC",
                   r->name);
        sl_err_hint(err, "set capture: ct for the table, or delete its watermarks.json to reload "
                         "it in full with CDC");
        return SL_ESTATE;
    }
    if (!lsn_from_hex(last, r->wm.pos.start_lsn))
        return sl_err_set(err, SL_ECORRUPT, "table %s: watermark LSN \"%s\" is not 20 hex digits",
                          r->name, r->wm.pos.start_lsn);
    return 0;
}

/* A reload is due: full_incremental reloads (warning), incremental fails. */
static int want_reload(struct table_run *r, struct cdc_step *s, const char *why,
                       struct sl_err *err)
{
    if (r->ref->table->mode == CONFIG_MODE_INCREMENTAL) {
        sl_err_set(err, SL_ESTATE, "table %s: %s, and mode incremental never reloads", r->name,
                   why);
        sl_err_hint(err, "use mode: full_incremental to reload automatically, or delete the "
                         "table's watermarks.json for one full load; lengthen the CDC retention "
                         "(sys.sp_cdc_change_job @retention) or sync more often");
        return SL_ESTATE;
    }
    s->kind = STEP_FULL;
    s->reload = true;
    snprintf(s->reason, sizeof(s->reason), "full reload: %s", why);
    return 0;
}

static int window_error(struct table_run *r, const struct cdc_window *w, const char *ci,
                        struct sl_err *err)
{
    if (w->plan == CDC_PLAN_AHEAD) {
        sl_err_set(err, SL_ESTATE,
                   "table %s: the watermark LSN %s is past the server's max LSN (instance %s)",
                   r->name, r->wm.pos.start_lsn, ci);
        sl_err_hint(err, "the database was restored or is another server; delete the table's "
                         "watermarks.json to reload it");
        return SL_ESTATE;
    }
    sl_err_set(err, SL_EBUSY, "table %s: CDC has captured nothing yet in database %s", r->name,
               cfg_db(r));
    sl_err_hint(err, "start the capture job (SQL Server Agent, sys.sp_cdc_start_job) and retry");
    return SL_EBUSY;
}

/* With a watermark: §B7 choice, then the §B6 window of the chosen instance. */
static int plan_changes(struct table_run *r, const struct cdc_instance *v, size_t n,
                        struct cdc_step *s, struct sl_err *err)
{
    struct odbc_conn *c = r->w->conn;
    struct lsn last, next, from_cur;
    struct cdc_choice ch;
    struct cdc_window w;
    char why[300];
    int ret = last_position(r, &last, err);

    if (!ret)
        ret = cdc_increment_lsn(c, &last, &next, err);
    if (!ret)
        ret = cdc_choose(v, n, true, &next, r->name, &ch, err);
    if (ret)
        return ret;
    s->ci = ch.old ? ch.old : ch.cur;
    ret = cdc_window(c, s->ci->name, true, &last, &w, err);
    if (ret)
        return ret;
    switch (w.plan) {
    case CDC_PLAN_NOTHING:
        s->kind = STEP_NOTHING;
        s->to = last;
        snprintf(s->reason, sizeof(s->reason), "no change after LSN %s", r->wm.pos.start_lsn);
        return 0;
    case CDC_PLAN_RELOAD:
        snprintf(why, sizeof(why), "CDC cleanup removed changes after the watermark (LSN %s) "
                                   "before they were read (instance %s)",
                 r->wm.pos.start_lsn, s->ci->name);
        s->ci = ch.cur;
        return want_reload(r, s, why, err);
    case CDC_PLAN_INCREMENTAL:
        break;
    default:
        return window_error(r, &w, s->ci->name, err);
    }
    s->kind = STEP_CHANGES;
    s->from = w.from;
    s->to = w.to;
    if (ch.old) {
        /* Finish the old instance just before the new one starts (§B7). */
        ret = cdc_decrement_lsn(c, &ch.cur->start, &from_cur, err);
        if (ret)
            return ret;
        if (lsn_cmp(&from_cur, &s->to) < 0)
            s->to = from_cur;
        s->more = true;
        snprintf(s->reason, sizeof(s->reason),
                 "changes of instance %s up to the start of instance %s", ch.old->name,
                 ch.cur->name);
    } else {
        snprintf(s->reason, sizeof(s->reason), "changes after LSN %s (instance %s)",
                 r->wm.pos.start_lsn, s->ci->name);
    }
    return 0;
}

/* Without a watermark: full load, or for mode incremental the changes from the min LSN. */
static int plan_first(struct table_run *r, const struct cdc_instance *v, size_t n,
                      struct cdc_step *s, struct sl_err *err)
{
    struct cdc_choice ch;
    struct cdc_window w;
    int ret = cdc_choose(v, n, false, NULL, r->name, &ch, err);

    if (ret)
        return ret;
    s->ci = ch.cur;
    if (r->ref->table->mode != CONFIG_MODE_INCREMENTAL) {
        s->kind = STEP_FULL;
        snprintf(s->reason, sizeof(s->reason), "%s (instance %s)",
                 r->ref->table->mode == CONFIG_MODE_FULL ? "mode full" : "first run: full load",
                 s->ci->name);
        return 0;
    }
    ret = cdc_window(r->w->conn, s->ci->name, false, NULL, &w, err);
    if (ret)
        return ret;
    if (w.plan == CDC_PLAN_NOT_CAPTURED)
        return window_error(r, &w, s->ci->name, err);
    s->kind = STEP_CHANGES;
    s->from = w.min;
    s->to = w.to;
    snprintf(s->reason, sizeof(s->reason),
             "first run of mode incremental: every change CDC still holds (instance %s)",
             s->ci->name);
    return 0;
}

static int plan_step(struct table_run *r, const struct catalog_table *t, struct cdc_step *s,
                     struct sl_err *err)
{
    const struct config_table *ct = r->ref->table;
    struct cdc_instance *v = NULL;
    size_t n = 0;
    int ret;

    memset(s, 0, sizeof(*s));
    ret = cdc_instances(r->w->conn, t, &r->arena, &v, &n, err);
    if (!ret && n == 0) {
        sl_err_set(err, SL_ESTATE, "table %s has no CDC capture instance", r->name);
        sl_err_hint(err,
                    "EXEC sys.sp_cdc_enable_table @source_schema = N'%s', @source_name = N'%s', "
                    "@role_name = NULL in database %s; or use capture: ct",
                    r->ref->schema->name, ct->name, cfg_db(r));
        ret = SL_ESTATE;
    }
    if (ret)
        return ret;
    if (!r->have_wm || ct->mode == CONFIG_MODE_FULL)
        return plan_first(r, v, n, s, err);
    if (r->pk_changed) {
        struct cdc_choice ch;
        ret = cdc_choose(v, n, false, NULL, r->name, &ch, err);
        s->ci = ch.cur;
        return ret ? ret : want_reload(r, s, "the primary key changed", err);
    }
    return plan_changes(r, v, n, s, err);
}

/* ---- read and write ----------------------------------------------------- */

/* The instance's columns, with a warning for what it leaves out (§B7). */
static int column_set(struct table_run *r, const struct catalog_table *t,
                      const struct cdc_instance *ci, struct cdc_colset *set, struct sl_err *err)
{
    struct cdc_captured *cc = NULL;
    size_t ncc = 0;
    int ret = cdc_captured_columns(r->w->conn, ci->name, &r->arena, &cc, &ncc, err);

    if (!ret)
        ret = cdc_colset_build(t, ci->name, cc, ncc, &r->arena, set, err);
    if (ret)
        return ret;
    for (size_t i = 0; i < set->nuncaptured; i++)
        sl_log_warn(r->name,
                    "column %s is not captured by instance %s and is not synced; create a new "
                    "capture instance to include it",
                    set->uncaptured[i], ci->name);
    for (size_t i = 0; i < set->ndropped; i++)
        sl_log_warn(r->name, "column %s captured by instance %s was dropped from the table",
                    set->dropped[i], ci->name);
    return 0;
}

static void count_ops(struct table_run *r, const struct batch *b)
{
    for (size_t i = 0; i < b->nrows; i++) {
        switch (batch_get_int(b, 2, i)) {
        case CDC_OP_DELETE:
            r->res->deletes++;
            break;
        case CDC_OP_AFTER:
            r->res->updates++;
            break;
        case CDC_OP_BEFORE:
            break;
        default:
            r->res->inserts++;
        }
    }
    r->res->rows += (int64_t)b->nrows;
}

/*
 * Where a step's rows go: the sink (per_table, unified) or the jsonl
 * stream. For jsonl, written counts the rows written in full and, when the
 * stream's reader went away, cut is the start_lsn of the first row not
 * written (its transaction is sent again by the next run).
 */
struct step_out {
    struct sink *sk;
    struct jsonl *j;
    struct jsonl_table jt;
    uint64_t written;
    bool closed;
    struct lsn cut;
};

static int out_write(struct table_run *r, struct step_out *o, const struct batch *b,
                     struct sl_err *err)
{
    size_t done = 0;
    int ret;

    if (o->sk)
        return sink_write(o->sk, b, err);
    o->jt.ts_ms = o->jt.source_ts_ms = clock_now_ms();
    pthread_mutex_lock(&r->w->sh->stream_mu);
    ret = jsonl_write(o->j, &o->jt, b, &done, err);
    pthread_mutex_unlock(&r->w->sh->stream_mu);
    o->written += done;
    if (ret == SL_ECLOSED) {
        o->closed = true;
        if (o->jt.capture == JSONL_CDC) {
            size_t n = 0;
            /* done < nrows: the pipe broke inside this batch (else the last row resends) */
            const uint8_t *p = batch_get_bytes(b, 0, done < b->nrows ? done : b->nrows - 1, &n);
            lsn_from_bytes(&o->cut, p, n);
        }
        sl_err_clear(err);
        ret = sl_err_set(err, SL_ECANCELLED,
                         "table %s: the reader of the change stream went away (broken pipe) after "
                         "%" PRIu64 " changes",
                         r->name, o->written);
        err->source_code = EPIPE;
        sl_err_hint(err, "the watermark covers the transactions written in full; the next run "
                         "sends the rest");
    }
    return ret;
}

static int pump(struct table_run *r, struct reader *rd, struct step_out *o, struct sl_err *err)
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
        ret = out_write(r, o, b, err);
        if (ret)
            break;
        if (pg)
            atomic_fetch_add(&pg->rows, b->nrows);
        snprintf(point, sizeof(point), "batch:%" PRIu64, ++nbatch);
        engine_crash_point(r->opt, r->name, point);
    }
    return ret;
}

static int position(struct watermark_pos *p, const struct lsn *l, struct sl_err *err)
{
    char hex[LSN_HEX_LEN + 1];
    lsn_to_hex(l, hex);
    return watermark_pos_cdc(p, hex, ZERO_SEQVAL, err);
}

/* The jsonl stream of the configuration for table r (stem: its "db.schema.table"). */
static void stream_options(const struct table_run *r, char *stem, size_t cap,
                           struct jsonl_options *jo)
{
    const struct config_storage *cs = &r->opt->cfg->storage;

    snprintf(stem, cap, "%s.%s.%s", cfg_db(r), r->ref->schema->name, r->ref->table->name);
    memset(jo, 0, sizeof(*jo));
    jo->dir = strcmp(cs->jsonl_path, "-") == 0 ? NULL : cs->jsonl_path;
    jo->fd = STDOUT_FILENO;
    jo->stem = stem;
    jo->max_file_bytes = cs->jsonl_max_file_bytes;
    jo->max_file_rows = cs->jsonl_max_file_rows;
    jo->io = r->opt->io;
}

static int open_out(struct table_run *r, const struct cdc_step *s, const struct cdc_colset *set,
                    const struct batch_schema *schema, struct step_out *o, struct sl_err *err)
{
    const struct config_storage *cs = &r->opt->cfg->storage;
    struct sink_options so;
    struct sink_table st;
    struct sink_run run;
    char stem[800];

    if (cs->output_format != CONFIG_OUTPUT_JSONL) {
        table_sink_setup(r, &so, &st, &run);
        run.from = r->res->from;
        run.to = r->res->to;
        run.full = s->kind == STEP_FULL;
        return sink_open(&so, &st, &run, schema, set->npk, &o->sk, err);
    }
    struct jsonl_options jo;
    stream_options(r, stem, sizeof(stem), &jo);
    o->jt.db = cfg_db(r);
    o->jt.schema = r->ref->schema->name;
    o->jt.table = r->ref->table->name;
    o->jt.capture = JSONL_CDC;
    o->jt.npk = set->npk;
    o->jt.snapshot = s->kind == STEP_FULL;
    o->jt.update_before = r->ref->table->cdc_update_before;
    return jsonl_open(&jo, &o->j, err);
}

/* Make the step's output durable; *res lists Parquet files (jsonl: none). */
static int out_finish(struct table_run *r, struct step_out *o, struct sink_result *res,
                      struct sl_err *err)
{
    struct jsonl_result jr;
    int ret;

    if (o->sk) {
        ret = sink_finish(o->sk, res, err);
        o->sk = NULL;
        return ret;
    }
    memset(&jr, 0, sizeof(jr));
    pthread_mutex_lock(&r->w->sh->stream_mu);
    ret = jsonl_commit(o->j, &jr, err);
    pthread_mutex_unlock(&r->w->sh->stream_mu);
    for (size_t i = 0; !ret && i < jr.nfiles; i++)
        sl_log_debug(r->name, "published %s", jr.files[i]);
    jsonl_result_free(&jr);
    jsonl_close(o->j);
    o->j = NULL;
    return ret;
}

static void out_abort(struct step_out *o)
{
    sink_abort(o->sk);
    jsonl_close(o->j);
    o->sk = NULL;
    o->j = NULL;
}

/* Open the step's reader; a full load reads the max LSN inside its snapshot first. */
static int open_step(struct table_run *r, const struct catalog_table *t, struct cdc_step *s,
                     const struct cdc_colset *set, bool *in_tx, struct odbc_stmt **stmt,
                     struct reader **rd, struct sl_err *err)
{
    const struct config_table *ct = r->ref->table;
    struct reader_options ro = {.batch_rows = r->opt->batch_rows};
    struct cdc_window w;
    int ret;

    if (s->kind != STEP_FULL)
        return cdc_open_changes(r->w->conn, t, set, ct->cdc_mode == CONFIG_CDC_NET,
                                ct->cdc_update_before, &s->from, &s->to, NULL, &ro, stmt, rd,
                                err);
    ret = ct_begin(r->w->conn, err);
    *in_tx = ret == 0;
    if (!ret)
        ret = cdc_window(r->w->conn, s->ci->name, false, NULL, &w, err);
    if (!ret && w.plan == CDC_PLAN_NOT_CAPTURED)
        ret = window_error(r, &w, s->ci->name, err);
    if (ret)
        return ret;
    s->to = w.to;
    ret = position(&r->res->to, &s->to, err);
    return ret ? ret : cdc_open_full(r->w->conn, t, set, &s->to, NULL, &ro, stmt, rd, err);
}

static int net_check(struct table_run *r, const struct cdc_step *s, struct sl_err *err)
{
    if (s->kind != STEP_CHANGES || r->ref->table->cdc_mode != CONFIG_CDC_NET ||
        s->ci->net_changes)
        return 0;
    sl_err_set(err, SL_ESTATE, "table %s: capture instance %s has no net changes function",
               r->name, s->ci->name);
    sl_err_hint(err, "use cdc_mode: all, or create the instance with @supports_net_changes = 1 "
                     "(it needs a primary key or a unique index)");
    return SL_ESTATE;
}

/*
 * The stream's reader went away after o->written changes of an
 * incremental step: store the position before the transaction that was
 * cut (decrement of its start_lsn), so the next run sends it again whole.
 * A full load moves nothing. Returns the broken-pipe error kept in err.
 */
static int commit_cut(struct table_run *r, struct cdc_step *s, struct step_out *o,
                      struct sl_err *err)
{
    struct sink_result none;
    struct lsn before;
    struct sl_err e;
    int ret;

    if (s->kind != STEP_CHANGES || o->written == 0)
        return err->code;
    sl_err_clear(&e);
    memset(&none, 0, sizeof(none));
    ret = cdc_decrement_lsn(r->w->conn, &o->cut, &before, &e);
    if (!ret && lsn_cmp(&before, &s->from) < 0)
        return err->code; /* the first transaction was cut: nothing to store */
    if (!ret)
        ret = position(&r->res->to, &before, &e);
    if (!ret)
        ret = table_commit_state(r, &none, &e);
    if (ret)
        sl_log_error(r->name, "cannot store the position after the broken pipe: %s", e.msg);
    return err->code;
}

/* Read the step into a new output and make it durable (*res: caller frees). */
static int transfer(struct table_run *r, const struct catalog_table *t, struct cdc_step *s,
                    struct sink_result *res, struct sl_err *err)
{
    struct cdc_colset set;
    struct odbc_stmt *stmt = NULL;
    struct reader *rd = NULL;
    struct step_out o;
    bool in_tx = false;
    int ret;

    memset(&set, 0, sizeof(set));
    memset(&o, 0, sizeof(o));
    ret = net_check(r, s, err);
    if (!ret)
        ret = column_set(r, t, s->ci, &set, err);
    if (!ret)
        ret = open_step(r, t, s, &set, &in_tx, &stmt, &rd, err);
    if (!ret)
        ret = open_out(r, s, &set, reader_schema(rd), &o, err);
    if (!ret)
        ret = pump(r, rd, &o, err);
    reader_destroy(rd);
    odbc_stmt_destroy(stmt);
    if (!ret && in_tx)
        ret = ct_commit(r->w->conn, err);
    if (ret) {
        out_abort(&o);
        return o.closed ? commit_cut(r, s, &o, err) : ret;
    }
    ret = out_finish(r, &o, res, err);
    if (!ret)
        engine_crash_point(r->opt, r->name, "finished");
    return ret;
}

/* ---- steps -------------------------------------------------------------- */

static void log_step(const struct table_run *r, const struct cdc_step *s)
{
    if (s->reload)
        sl_log_warn(r->name, "%s", s->reason);
    else
        sl_log_info(r->name, "%s: %s", s->kind == STEP_FULL ? "full" : "incremental", s->reason);
}

static int run_step(struct table_run *r, const struct catalog_table *t, struct cdc_step *s,
                    struct sl_err *err)
{
    struct sink_result res;
    int ret;

    memset(&res, 0, sizeof(res));
    r->res->rows = r->res->inserts = r->res->updates = r->res->deletes = 0;
    r->res->plan = s->kind == STEP_FULL ? PLAN_FULL : PLAN_INCREMENTAL;
    r->res->reload = s->reload;
    snprintf(r->res->reason, sizeof(r->res->reason), "%s", s->reason);
    memset(&r->res->from, 0, sizeof(r->res->from));
    if (r->have_wm && s->kind != STEP_FULL)
        r->res->from = r->wm.pos;
    log_step(r, s);
    ret = position(&r->res->to, &s->to, err);
    if (!ret && s->kind != STEP_NOTHING)
        ret = transfer(r, t, s, &res, err);
    if (!ret) {
        r->res->nfiles = res.nfiles;
        r->res->bytes = res.bytes;
        ret = table_commit_state(r, &res, err);
    }
    sink_result_free(&res);
    return ret;
}

int cdc_table_run(struct table_run *r, const struct catalog_table *t, struct sl_err *err)
{
    struct cdc_step s;
    int ret = 0;

    for (int i = 0; i < MAX_STEPS && ret == 0; i++) {
        ret = plan_step(r, t, &s, err);
        if (!ret)
            ret = run_step(r, t, &s, err);
        if (ret || !s.more)
            break;
        /* The next step starts from what this one stored, as a run of its own
         * (run id and file names: a later millisecond than this one's). */
        int64_t now = clock_now_ms();
        r->started_ms = now > r->started_ms ? now : r->started_ms + 1;
        clock_iso8601(r->started_ms, r->started_at);
        table_make_run_id(r->started_ms, r->run_id, sizeof(r->run_id));
        r->have_wm = true;
        r->wm.pos = r->res->to;
        r->pk_changed = false;
    }
    return ret;
}

/* ---- Change Tracking into the jsonl stream -------------------------------- */

static void count_ct(struct table_run *r, const struct batch *b)
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

int cdc_table_stream_ct(struct table_run *r, struct reader *rd, bool full, size_t npk,
                        struct sl_err *err)
{
    struct jsonl_options jo;
    struct sink_result none;
    struct step_out o;
    char stem[800];
    int ret;

    memset(&o, 0, sizeof(o));
    memset(&none, 0, sizeof(none));
    stream_options(r, stem, sizeof(stem), &jo);
    o.jt.db = cfg_db(r);
    o.jt.schema = r->ref->schema->name;
    o.jt.table = r->ref->table->name;
    o.jt.capture = JSONL_CT;
    o.jt.npk = npk;
    o.jt.snapshot = full;
    ret = jsonl_open(&jo, &o.j, err);
    for (uint64_t nbatch = 0; !ret;) {
        struct batch *b = NULL;
        char point[32];
        ret = reader_next(rd, &b, err);
        if (ret || !b)
            break;
        count_ct(r, b);
        ret = out_write(r, &o, b, err);
        snprintf(point, sizeof(point), "batch:%" PRIu64, ++nbatch);
        if (!ret)
            engine_crash_point(r->opt, r->name, point);
    }
    /* A broken pipe moves nothing: CT rows carry no order a partial position could use. */
    if (!ret)
        ret = out_finish(r, &o, &none, err);
    out_abort(&o);
    return ret;
}
