/*
 * cdc_capture: the CDC capture job and cleanup (spec ct-cdc.md B1, B2, B3).
 *
 * Owns the capture cycle (committed change-journal rows of CDC-enabled
 * tables become rows of their change tables and cdc.lsn_time_mapping
 * entries), idle filler entries, the start_lsn of new capture instances,
 * retention cleanup, sys.sp_cdc_cleanup_change_table, and the background
 * thread that runs a cycle for every CDC-enabled database every
 * --cdc-capture-delay-ms (SQL Server's Agent job; EXEC tdslite.cdc_capture
 * runs one at once).
 *
 * A cycle is one SQLite write transaction of its database: it reads the
 * journal up to the newest commit (tl_commits), so it is consistent with
 * every committed transaction and sees none that is still open; it moves
 * tl_cdc_state.captured_commit, deletes the journal rows it captured of
 * tables without Change Tracking, and commits. Anything failing rolls the
 * whole cycle back; the next one retries.
 *
 * Rows per change (B2): insert 2, delete 1, update 3 (old values) then 4
 * (new values) with one __$seqval. An UPDATE that sets a primary key column
 * is captured as SQL Server's split update: per statement the deletes of
 * the old keys and the inserts of the new ones, sorted by key, with a
 * delete and an insert of the same key collapsed into 3/4 again; so
 * SET pk = pk + 1 over keys 1..3 is 1(1), 3/4(2), 3/4(3), 2(4).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "eng.h"

/* ------------------------------------------------------------ helpers */

static int fail_sqlite(struct engine_session *s, struct sqlerr *e)
{
    exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
    return -1;
}

/* A journal time ('YYYY-MM-DD hh:mm:ss.fff') as a canonical datetime. */
static void to_datetime(struct engine_session *s, const char *raw, char *out, size_t cap)
{
    struct tl_value in = {TL_V_TEXT, 0, 0, (const uint8_t *)raw, strlen(raw)}, o;
    struct tl_type from = {TL_T_DATETIME2, 0, 0, 3}, to = {TL_T_DATETIME, 0, 0, 3};
    struct value_error ve;
    if (value_convert(&in, &from, &to, -1, true, NULL, NULL, &s->ra, &o, &ve) == 0 && o.n < cap) {
        memcpy(out, o.p, o.n);
        out[o.n] = 0;
    } else {
        snprintf(out, cap, "%s", raw);
    }
}

static void now_datetime(struct engine_session *s, char *out, size_t cap)
{
    char raw[40];
    journal_clock_text(s->eng, raw, sizeof(raw));
    to_datetime(s, raw, out, cap);
}

/* Add an lsn_time_mapping entry. tran_id NULL: a filler (0x00). */
static int add_mapping(struct engine_session *s, int dbid, const uint8_t lsn[CDC_LSN_LEN], const char *begin,
                       const char *end, const void *tran_id, int tran_n, struct sqlerr *e)
{
    sqlite3_stmt *st = NULL;
    char sql[128];
    snprintf(sql, sizeof(sql), "INSERT INTO \"d%d\".tl_cdc_lsn_time VALUES (?, ?, ?, ?)", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    static const uint8_t zero = 0;
    sqlite3_bind_blob(st, 1, lsn, CDC_LSN_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, begin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, end, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, tran_id ? tran_id : &zero, tran_id ? tran_n : 1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail_sqlite(s, e);
}

/* The next free slot after commit c's LSN: entries lsn(c, 1), lsn(c, 2) ...
 * are fillers and instance start points between commit c and c + 1. */
static int next_slot(struct engine_session *s, int dbid, int64_t c)
{
    uint8_t lo[CDC_LSN_LEN], hi[CDC_LSN_LEN];
    cdc_lsn_make(c, 0, lo);
    cdc_lsn_make(c + 1, 0, hi);
    sqlite3_stmt *st = NULL;
    char sql[160];
    int slot = 1;
    snprintf(sql, sizeof(sql), "SELECT max(start_lsn) FROM \"d%d\".tl_cdc_lsn_time WHERE start_lsn >= ? AND start_lsn < ?",
             dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, lo, CDC_LSN_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, hi, CDC_LSN_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CDC_LSN_LEN) {
            const uint8_t *m = sqlite3_column_blob(st, 0);
            slot = (m[8] << 8 | m[9]) + 1;
        }
    }
    sqlite3_finalize(st);
    return slot;
}

/* A filler/marker entry after commit c at time `at` (NULL: now); its LSN
 * in out. 0, 1 when there is no room, or -1. A commit followed by 65535
 * such entries gets no more (the LSN would reach the next commit's). */
static int add_filler(struct engine_session *s, int dbid, int64_t c, const char *at,
                      uint8_t out[CDC_LSN_LEN], struct sqlerr *e)
{
    int slot = next_slot(s, dbid, c);
    if (slot > 0xffff)
        return 1;
    char now[40];
    if (!at) {
        now_datetime(s, now, sizeof(now));
        at = now;
    }
    cdc_lsn_make(c, slot, out);
    return add_mapping(s, dbid, out, at, at, NULL, 0, e);
}

/* ------------------------------------------------------------ instances */

struct capcol {
    int column_id;
    int64_t dropped_commit; /* -1: the column exists */
    bool lob_max;           /* varchar/nvarchar/varbinary(max): NULL in op 3 unless changed */
    bool lob_old;           /* text/ntext/image: NULL in ops 1 and 3 */
};

struct inst {
    int64_t ct_oid, source_oid, start_commit;
    int ncap;
    struct capcol *cols;
    sqlite3_stmt *ins; /* INSERT INTO the change table */
};

struct source {
    int64_t oid;
    int *pk; /* source column ids of the primary key (split updates) */
    int npk;
    struct tl_type *pktype;
};

struct cycle {
    struct engine_session *s;
    int dbid;
    struct arena a; /* the cycle's metadata */
    struct inst *in;
    int nin;
    struct source *src;
    int nsrc;
    int64_t commit;   /* the commit being captured */
    uint32_t n;       /* its last __$seqval number */
    uint8_t lsn[CDC_LSN_LEN];
    bool mapped;      /* commit's lsn_time_mapping entry written */
    const char *begin, *end;
    const void *tran_id;
    int tran_n;
};

static int load_columns(struct cycle *cy, struct inst *in, struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    struct table_meta *ct = catalog_table_by_id(s, &cy->a, cy->dbid, in->ct_oid);
    sqlite3_stmt *st = NULL;
    char *sql = sqlite3_mprintf("SELECT column_ordinal, column_id, coalesce(dropped_commit, -1) FROM \"d%d\".tl_cdc_columns"
                                " WHERE object_id = %lld ORDER BY column_ordinal",
                                cy->dbid, (long long)in->ct_oid);
    in->ncap = ct ? ct->ncols - 6 : 0;
    in->cols = arena_alloc(&cy->a, sizeof(struct capcol) * (size_t)(in->ncap + 1));
    if (!ct || !in->cols || !sql || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_free(sql);
        sqlite3_finalize(st);
        sqlerr_set(e, 22859, 16, "Log Scan process failed in processing log records. Refer to previous errors in the current session to identify the cause and correct any associated problems.");
        return -1;
    }
    memset(in->cols, 0, sizeof(struct capcol) * (size_t)(in->ncap + 1));
    while (sqlite3_step(st) == SQLITE_ROW) {
        int ord = sqlite3_column_int(st, 0);
        if (ord < 1 || ord > in->ncap)
            continue;
        struct capcol *c = &in->cols[ord - 1];
        c->column_id = sqlite3_column_int(st, 1);
        c->dropped_commit = sqlite3_column_int64(st, 2);
        const struct tl_type *t = &ct->cols[5 + ord - 1].type;
        c->lob_max = (t->id == TL_T_VARCHAR || t->id == TL_T_NVARCHAR || t->id == TL_T_VARBINARY) &&
                     t->length == TL_MAX;
        c->lob_old = t->id == TL_T_TEXT || t->id == TL_T_NTEXT || t->id == TL_T_IMAGE;
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    /* c1..c5 the __$ columns, c6.. the captured ones, then __$command_id */
    struct buf b;
    buf_init(&b, 0);
    buf_appendf(&b, "INSERT INTO \"d%d\".\"t%lld\" VALUES (?, NULL, ?, ?, ?", cy->dbid, (long long)in->ct_oid);
    for (int i = 0; i <= in->ncap; i++)
        buf_append_str(&b, ", ?");
    buf_append_str(&b, ")");
    int rc = b.data ? sqlite3_prepare_v2(s->db, (char *)b.data, -1, &in->ins, NULL) : SQLITE_NOMEM;
    buf_free(&b);
    return rc == SQLITE_OK ? 0 : fail_sqlite(s, e);
}

static struct source *find_source(struct cycle *cy, int64_t oid)
{
    for (int i = 0; i < cy->nsrc; i++)
        if (cy->src[i].oid == oid)
            return &cy->src[i];
    return NULL;
}

/* The instances and their source tables' primary keys. */
static int load_instances(struct cycle *cy, struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    sqlite3_stmt *st = NULL;
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"d%d\".tl_cdc_tables", cy->dbid);
    int n = (int)exec_query_int(s, sql, 0, NULL);
    cy->in = arena_alloc(&cy->a, sizeof(struct inst) * (size_t)(n + 1));
    cy->src = arena_alloc(&cy->a, sizeof(struct source) * (size_t)(n + 1));
    snprintf(sql, sizeof(sql), "SELECT object_id, source_object_id, start_commit FROM \"d%d\".tl_cdc_tables ORDER BY seq",
             cy->dbid);
    if (!cy->in || !cy->src || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    while (sqlite3_step(st) == SQLITE_ROW && cy->nin < n) {
        struct inst *in = &cy->in[cy->nin++];
        memset(in, 0, sizeof(*in));
        in->ct_oid = sqlite3_column_int64(st, 0);
        in->source_oid = sqlite3_column_int64(st, 1);
        in->start_commit = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < cy->nin; i++) {
        if (load_columns(cy, &cy->in[i], e))
            return -1;
        if (find_source(cy, cy->in[i].source_oid))
            continue;
        struct source *so = &cy->src[cy->nsrc++];
        memset(so, 0, sizeof(*so));
        so->oid = cy->in[i].source_oid;
        struct table_meta *tm = catalog_table_by_id(s, &cy->a, cy->dbid, so->oid);
        for (int k = 0; tm && k < tm->nidx; k++) {
            if (!tm->idx[k].pk)
                continue;
            so->npk = tm->idx[k].ncols;
            so->pk = tm->idx[k].cols;
            so->pktype = arena_alloc(&cy->a, sizeof(struct tl_type) * (size_t)(so->npk + 1));
            for (int j = 0; so->pktype && j < so->npk; j++)
                for (int c = 0; c < tm->ncols; c++)
                    if (tm->cols[c].id == so->pk[j])
                        so->pktype[j] = tm->cols[c].type;
        }
    }
    return 0;
}

static void free_instances(struct cycle *cy)
{
    for (int i = 0; i < cy->nin; i++)
        sqlite3_finalize(cy->in[i].ins);
}

/* New instances get their low end point: a marker entry after the commit
 * they start after, stamped with their creation time (so LSN and time
 * order agree), and the start_lsn of a later instance is later. */
static int mark_new_instances(struct cycle *cy, bool *wrote, struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    sqlite3_stmt *st = NULL;
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT object_id, start_commit, create_date FROM \"d%d\".tl_cdc_tables WHERE start_lsn IS NULL ORDER BY seq",
             cy->dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    int64_t oids[64], commits[64];
    char dates[64][40];
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
        oids[n] = sqlite3_column_int64(st, 0);
        commits[n] = sqlite3_column_int64(st, 1);
        snprintf(dates[n++], sizeof(dates[0]), "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        uint8_t lsn[CDC_LSN_LEN];
        int r = add_filler(s, cy->dbid, commits[i], dates[i], lsn, e);
        if (r < 0)
            return -1;
        if (r > 0)
            continue; /* no free slot: stays NULL until the next commit */
        *wrote = true;
        char *u = sqlite3_mprintf("UPDATE \"d%d\".tl_cdc_tables SET start_lsn = x'%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x'"
                                  " WHERE object_id = %lld",
                                  cy->dbid, lsn[0], lsn[1], lsn[2], lsn[3], lsn[4], lsn[5], lsn[6], lsn[7], lsn[8],
                                  lsn[9], (long long)oids[i]);
        int rc = u ? exec_sql(s, u, e) : -1;
        sqlite3_free(u);
        if (rc)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ change rows */

/* One change to write: op 1, 2, or 3 (= the 3/4 pair). */
struct ev {
    int op;
    int stmt;
    const uint8_t *before, *after;
    size_t nbefore, nafter;
    const uint8_t *cols; /* SET column_ids, u32le */
    size_t ncols;
    /* split updates: the key's image and whether this is the delete half */
    const uint8_t *key;
    size_t nkey;
    bool del;
};

static bool in_set(const struct ev *ev, int column_id)
{
    for (size_t i = 0; i + 4 <= ev->ncols; i += 4) {
        const uint8_t *p = ev->cols + i;
        if ((int)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) == column_id)
            return true;
    }
    return false;
}

static const struct jcol *find_jcol(const struct jcol *c, int n, int column_id)
{
    for (int i = 0; i < n; i++)
        if (c[i].column_id == column_id)
            return &c[i];
    return NULL;
}

static void bind_jcol(sqlite3_stmt *st, int i, const struct jcol *c)
{
    switch (c ? c->kind : 0) {
    case 1: sqlite3_bind_int64(st, i, c->i); break;
    case 2: sqlite3_bind_double(st, i, c->d); break;
    case 3: sqlite3_bind_text(st, i, (const char *)c->p, (int)c->n, SQLITE_STATIC); break;
    case 4: sqlite3_bind_blob(st, i, c->n ? (const void *)c->p : "", (int)c->n, SQLITE_STATIC); break;
    default: sqlite3_bind_null(st, i); break;
    }
}

/* Write one change-table row of instance in: op 1..4 from image img. */
static int write_row(struct cycle *cy, struct inst *in, int op, const struct ev *ev, const uint8_t *img,
                     size_t nimg, const uint8_t seqval[CDC_LSN_LEN], struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    struct jcol *jc = NULL;
    int njc = 0;
    if (img && journal_image_decode(&s->ra, img, nimg, &jc, &njc)) {
        sqlerr_set(e, 22859, 16, "Log Scan process failed in processing log records. Refer to previous errors in the current session to identify the cause and correct any associated problems.");
        return -1;
    }
    uint8_t mask[128];
    int nb = (in->ncap + 7) / 8;
    memset(mask, 0, sizeof(mask));
    for (int k = 0; k < in->ncap && k < 1024; k++)
        if (op == 1 || op == 2 || in_set(ev, in->cols[k].column_id))
            mask[nb - 1 - k / 8] |= (uint8_t)(1u << (k % 8));
    sqlite3_stmt *st = in->ins;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_blob(st, 1, cy->lsn, CDC_LSN_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, seqval, CDC_LSN_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, op);
    sqlite3_bind_blob(st, 4, mask, nb, SQLITE_STATIC);
    for (int k = 0; k < in->ncap; k++) {
        const struct capcol *c = &in->cols[k];
        bool null = (c->dropped_commit >= 0 && cy->commit > c->dropped_commit) ||
                    (c->lob_old && (op == 1 || op == 3)) || (c->lob_max && op == 3 && !in_set(ev, c->column_id));
        bind_jcol(st, 5 + k, null ? NULL : find_jcol(jc, njc, c->column_id));
    }
    sqlite3_bind_int(st, 5 + in->ncap, ev->stmt);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail_sqlite(s, e);
}

/* Write one change to every instance of its table that captures commit. */
static int emit(struct cycle *cy, int64_t source_oid, const struct ev *ev, struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    if (!cy->mapped) {
        if (add_mapping(s, cy->dbid, cy->lsn, cy->begin, cy->end, cy->tran_id, cy->tran_n, e))
            return -1;
        cy->mapped = true;
    }
    uint8_t seqval[CDC_LSN_LEN];
    cdc_seqval_make(cy->commit, ++cy->n, seqval);
    for (int i = 0; i < cy->nin; i++) {
        struct inst *in = &cy->in[i];
        if (in->source_oid != source_oid || cy->commit <= in->start_commit)
            continue;
        arena_reset(&s->ra);
        int rc = 0;
        if (ev->op == 1)
            rc = write_row(cy, in, 1, ev, ev->before, ev->nbefore, seqval, e);
        else if (ev->op == 2)
            rc = write_row(cy, in, 2, ev, ev->after, ev->nafter, seqval, e);
        else
            rc = write_row(cy, in, 3, ev, ev->before, ev->nbefore, seqval, e) ||
                 write_row(cy, in, 4, ev, ev->after, ev->nafter, seqval, e);
        if (rc)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ split updates */

/* Order of two values of one key column (consistent with SQL Server's
 * equality: strings case- and trailing-blank-insensitive, decimals by
 * value). */
static int cmp_jcol(const struct jcol *a, const struct jcol *b, const struct tl_type *t)
{
    int ka = a ? a->kind : 0, kb = b ? b->kind : 0;
    if ((ka == 1 || ka == 2) && (kb == 1 || kb == 2)) {
        double x = ka == 1 ? (double)a->i : a->d, y = kb == 1 ? (double)b->i : b->d;
        if (ka == 1 && kb == 1)
            return a->i < b->i ? -1 : a->i > b->i;
        return x < y ? -1 : x > y;
    }
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka == 0)
        return 0;
    size_t na = a->n, nb = b->n;
    if (ka == 3 && type_is_string(t->id)) {
        while (na && a->p[na - 1] == ' ')
            na--;
        while (nb && b->p[nb - 1] == ' ')
            nb--;
        return value_text_compare_ci(a->p, na, b->p, nb);
    }
    if (ka == 3 && type_is_exact(t->id)) {
        struct value_decimal x, y;
        if (value_decimal_parse_auto((const char *)a->p, na, &x) == 0 &&
            value_decimal_parse_auto((const char *)b->p, nb, &y) == 0)
            return value_decimal_cmp(&x, &y);
    }
    if (ka == 3 && t->id == TL_T_UNIQUEIDENTIFIER && na == nb)
        return strncasecmp((const char *)a->p, (const char *)b->p, na);
    int r = memcmp(a->p, b->p, na < nb ? na : nb);
    return r ? r : (na > nb) - (na < nb);
}

struct keyctx {
    struct arena *a;
    const struct source *so;
};

/* Key order only: 0 for the same key. */
static int cmp_keyonly(const struct keyctx *k, const struct ev *x, const struct ev *y)
{
    struct jcol *a = NULL, *b = NULL;
    int na = 0, nb = 0;
    journal_image_decode(k->a, x->key, x->nkey, &a, &na);
    journal_image_decode(k->a, y->key, y->nkey, &b, &nb);
    for (int i = 0; i < k->so->npk; i++) {
        int r = cmp_jcol(find_jcol(a, na, k->so->pk[i]), find_jcol(b, nb, k->so->pk[i]), &k->so->pktype[i]);
        if (r)
            return r;
    }
    return 0;
}

/* Key order, the delete of a key before its insert. */
static int cmp_key(const struct keyctx *k, const struct ev *x, const struct ev *y)
{
    int r = cmp_keyonly(k, x, y);
    if (r || x->del == y->del)
        return r;
    return x->del ? -1 : 1;
}

/* Merge sort of evs by key (stable; keys decoded per comparison into the
 * scratch arena, reset per merge level). */
static void sort_keys(const struct keyctx *k, struct ev *v, struct ev *tmp, int n)
{
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                tmp[o++] = cmp_key(k, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[o++] = v[i++];
            while (j < hi)
                tmp[o++] = v[j++];
        }
        memcpy(v, tmp, sizeof(*v) * (size_t)n);
        arena_reset(k->a);
    }
}

/* A statement's updates that set a primary key column: deletes of the old
 * keys and inserts of the new, sorted by key, equal keys collapsed back
 * into an update. */
static int emit_split(struct cycle *cy, const struct source *so, struct ev *rows, int n, struct sqlerr *e)
{
    struct ev *v = sl_calloc((size_t)n * 2 + 1, sizeof(*v)), *tmp = sl_calloc((size_t)n * 2 + 1, sizeof(*v));
    int rc = -1;
    struct arena scratch;
    arena_init(&scratch, 0, 0);
    if (!v || !tmp) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        v[2 * i] = rows[i];
        v[2 * i].del = true;
        v[2 * i].key = rows[i].before;
        v[2 * i].nkey = rows[i].nbefore;
        v[2 * i + 1] = rows[i];
        v[2 * i + 1].key = rows[i].after;
        v[2 * i + 1].nkey = rows[i].nafter;
    }
    struct keyctx k = {&scratch, so};
    sort_keys(&k, v, tmp, 2 * n);
    for (int i = 0; i < 2 * n; i++) {
        struct ev out = v[i];
        if (v[i].del && i + 1 < 2 * n && !v[i + 1].del && cmp_keyonly(&k, &v[i], &v[i + 1]) == 0) {
            /* the same key deleted and inserted: an update again */
            out.op = 3;
            out.after = v[i + 1].after;
            out.nafter = v[i + 1].nafter;
            i++;
        } else {
            out.op = v[i].del ? 1 : 2;
        }
        arena_reset(&scratch);
        if (emit(cy, so->oid, &out, e))
            goto out;
    }
    rc = 0;
out:
    arena_free(&scratch);
    sl_free(v);
    sl_free(tmp);
    return rc;
}

/* Does the update (its SET list) touch a primary key column? */
static bool sets_key(const struct source *so, const struct ev *ev)
{
    for (int i = 0; so && i < so->npk; i++)
        if (in_set(ev, so->pk[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------ a commit */

struct pending {
    struct ev *rows;
    int n, cap;
    int64_t oid;
    int stmt;
    struct arena a;
};

static int flush_pending(struct cycle *cy, struct pending *p, struct sqlerr *e)
{
    int rc = 0;
    if (p->n)
        rc = emit_split(cy, find_source(cy, p->oid), p->rows, p->n, e);
    p->n = 0;
    arena_reset(&p->a);
    return rc;
}

static int pending_add(struct pending *p, const struct ev *ev, struct sqlerr *e)
{
    if (p->n == p->cap) {
        int nc = p->cap ? p->cap * 2 : 64;
        struct ev *r = sl_realloc(p->rows, sizeof(*r) * (size_t)nc);
        if (!r) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return -1;
        }
        p->rows = r;
        p->cap = nc;
    }
    struct ev *c = &p->rows[p->n++];
    *c = *ev;
    c->before = arena_memdup(&p->a, ev->before ? ev->before : (const uint8_t *)"", ev->nbefore + 1);
    c->after = arena_memdup(&p->a, ev->after ? ev->after : (const uint8_t *)"", ev->nafter + 1);
    c->cols = arena_memdup(&p->a, ev->cols ? ev->cols : (const uint8_t *)"", ev->ncols + 1);
    if (!c->before || !c->after || !c->cols) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    return 0;
}

/* Capture the journal rows of commit c (its tl_commits row in st). */
static int capture_commit(struct cycle *cy, sqlite3_stmt *cm, struct sqlerr *e)
{
    struct engine_session *s = cy->s;
    cy->commit = sqlite3_column_int64(cm, 0);
    cy->n = 0;
    cy->mapped = false;
    cdc_lsn_make(cy->commit, 0, cy->lsn);
    char b[40], en[40];
    to_datetime(s, (const char *)sqlite3_column_text(cm, 1), b, sizeof(b));
    to_datetime(s, (const char *)sqlite3_column_text(cm, 2), en, sizeof(en));
    cy->begin = b;
    cy->end = en;
    cy->tran_id = sqlite3_column_blob(cm, 3);
    cy->tran_n = sqlite3_column_bytes(cm, 3);
    sqlite3_stmt *st = NULL;
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT object_id, op, stmt, cols, before, after FROM \"d%1$d\".tl_journal WHERE commit_id = %2$lld"
             " AND object_id IN (SELECT source_object_id FROM \"d%1$d\".tl_cdc_tables WHERE start_commit < %2$lld)"
             " ORDER BY seq",
             cy->dbid, (long long)cy->commit);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    struct pending p = {0};
    arena_init(&p.a, 0, 0);
    int rc = 0, r;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        struct ev ev = {0};
        int64_t oid = sqlite3_column_int64(st, 0);
        ev.op = sqlite3_column_int(st, 1);
        ev.stmt = sqlite3_column_int(st, 2);
        ev.cols = sqlite3_column_blob(st, 3);
        ev.ncols = (size_t)sqlite3_column_bytes(st, 3);
        ev.before = sqlite3_column_blob(st, 4);
        ev.nbefore = (size_t)sqlite3_column_bytes(st, 4);
        ev.after = sqlite3_column_blob(st, 5);
        ev.nafter = (size_t)sqlite3_column_bytes(st, 5);
        if (p.n && (p.oid != oid || p.stmt != ev.stmt))
            rc = flush_pending(cy, &p, e);
        if (rc)
            break;
        if (ev.op == JOURNAL_UPDATE && sets_key(find_source(cy, oid), &ev)) {
            p.oid = oid;
            p.stmt = ev.stmt;
            rc = pending_add(&p, &ev, e);
        } else {
            rc = emit(cy, oid, &ev, e);
        }
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = fail_sqlite(s, e);
    if (rc == 0)
        rc = flush_pending(cy, &p, e);
    sqlite3_finalize(st);
    sl_free(p.rows);
    arena_free(&p.a);
    return rc;
}

/* ------------------------------------------------------------ cleanup */

/* Raise instance ct_oid's low end point to low (when higher) and delete its
 * change rows below it; then the mapping entries below every instance's. */
static int apply_low(struct engine_session *s, int dbid, int64_t ct_oid, const uint8_t low[CDC_LSN_LEN],
                     struct sqlerr *e)
{
    char hex[2 * CDC_LSN_LEN + 1];
    for (int i = 0; i < CDC_LSN_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", low[i]);
    char *sql = catalog_sqlf("UPDATE \"d%1$d\".tl_cdc_tables SET start_lsn = x'%2$s' WHERE object_id = %3$lld AND start_lsn < x'%2$s';"
        "DELETE FROM \"d%1$d\".\"t%3$lld\" WHERE \"c1\" < (SELECT start_lsn FROM \"d%1$d\".tl_cdc_tables"
        " WHERE object_id = %3$lld);",
        dbid, hex, (long long)ct_oid);
    int rc = sql ? exec_sql(s, sql, e) : -1;
    sqlite3_free(sql);
    return rc;
}

static int trim_mapping(struct engine_session *s, int dbid, struct sqlerr *e)
{
    char *sql = catalog_sqlf("DELETE FROM \"d%1$d\".tl_cdc_lsn_time WHERE start_lsn <"
                                " (SELECT min(start_lsn) FROM \"d%1$d\".tl_cdc_tables)",
                                dbid);
    int rc = sql ? exec_sql(s, sql, e) : -1;
    sqlite3_free(sql);
    return rc;
}

/*
 * Retention cleanup as SQL Server's cleanup job: the new low water mark is
 * the entry of cdc.lsn_time_mapping with the latest tran_end_time at or
 * before (the newest tran_end_time - retention minutes), the smallest LSN
 * of that time; change rows below it go.
 */
static int cleanup_retention(struct engine_session *s, int dbid, struct sqlerr *e)
{
    char sql[400];
    snprintf(sql, sizeof(sql), "SELECT v FROM \"d%d\".tl_meta WHERE k = 'cdc_retention'", dbid);
    int64_t minutes = exec_query_int(s, sql, 4320, NULL);
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof(sql),
             "SELECT start_lsn FROM \"d%1$d\".tl_cdc_lsn_time WHERE tran_end_time <="
             " (SELECT strftime('%%Y-%%m-%%d %%H:%%M:%%f', max(tran_end_time), '-%2$lld minutes') FROM \"d%1$d\".tl_cdc_lsn_time)"
             " ORDER BY tran_end_time DESC, start_lsn ASC LIMIT 1",
             dbid, (long long)minutes);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    uint8_t low[CDC_LSN_LEN];
    bool have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CDC_LSN_LEN;
    if (have)
        memcpy(low, sqlite3_column_blob(st, 0), CDC_LSN_LEN);
    sqlite3_finalize(st);
    if (!have)
        return 0;
    snprintf(sql, sizeof(sql), "SELECT object_id FROM \"d%d\".tl_cdc_tables WHERE start_lsn IS NOT NULL", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    int64_t oids[256];
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 256)
        oids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++)
        if (apply_low(s, dbid, oids[i], low, e))
            return -1;
    return trim_mapping(s, dbid, e);
}

/* Run fn as one write statement of s (its own transaction outside a user
 * transaction). */
static int in_write_txn(struct engine_session *s, int dbid, int (*fn)(void *, struct sqlerr *), void *arg,
                        struct sqlerr *e)
{
    if (txn_lock(s, dbid, e))
        return -1;
    if (txn_stmt_begin(s, e)) {
        struct sqlerr e2 = {0};
        txn_finish(s, false, &e2);
        return -1;
    }
    int r = fn(arg, e);
    return txn_stmt_finish(s, r, e);
}

struct cleanup_req {
    struct engine_session *s;
    const char *ci;
    const uint8_t *low;
};

static void lsn_hex(const uint8_t *p, char out[2 + 2 * CDC_LSN_LEN + 1])
{
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < CDC_LSN_LEN; i++)
        snprintf(out + 2 + 2 * i, 3, "%02X", p[i]);
}

static int cleanup_one(void *arg, struct sqlerr *e)
{
    struct cleanup_req *r = arg;
    struct engine_session *s = r->s;
    int dbid = s->dbid;
    sqlite3_stmt *st = NULL;
    char sql[300];
    snprintf(sql, sizeof(sql), "SELECT object_id, start_lsn FROM \"d%d\".tl_cdc_tables WHERE capture_instance = ?", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_sqlite(s, e);
    sqlite3_bind_text(st, 1, r->ci, -1, SQLITE_STATIC);
    int64_t oid = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!oid) {
        sqlerr_set(e, 22920, 16, "The named capture instance %s does not exist for database %s.", r->ci, s->dbname);
        return -1;
    }
    if (r->low) {
        /* a current entry; the smallest LSN sharing its commit time */
        snprintf(sql, sizeof(sql),
                 "SELECT min(m.start_lsn) FROM \"d%1$d\".tl_cdc_lsn_time m WHERE m.tran_end_time ="
                 " (SELECT tran_end_time FROM \"d%1$d\".tl_cdc_lsn_time WHERE start_lsn = ?)",
                 dbid);
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            return fail_sqlite(s, e);
        sqlite3_bind_blob(st, 1, r->low, CDC_LSN_LEN, SQLITE_STATIC);
        uint8_t low[CDC_LSN_LEN];
        bool have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CDC_LSN_LEN;
        if (have)
            memcpy(low, sqlite3_column_blob(st, 0), CDC_LSN_LEN);
        sqlite3_finalize(st);
        if (!have) {
            char hx[2 + 2 * CDC_LSN_LEN + 1];
            lsn_hex(r->low, hx);
            sqlerr_set(e, 22964, 16, "LSN %s, specified as the new low end point for change table cleanup must represent the start_lsn value of a current entry in the cdc.lsn_time_mapping table. Choose an LSN value that satisfies this requirement.",
                       hx);
            return -1;
        }
        if (apply_low(s, dbid, oid, low, e))
            return -1;
    } else {
        uint8_t zero[CDC_LSN_LEN] = {0};
        if (apply_low(s, dbid, oid, zero, e)) /* only deletes below the current mark */
            return -1;
    }
    return trim_mapping(s, dbid, e);
}

int cdc_cleanup_instance(struct engine_session *s, const char *ci, const uint8_t *low, struct sqlerr *e)
{
    struct cleanup_req r = {s, ci, low};
    return in_write_txn(s, s->dbid, cleanup_one, &r, e);
}

/* ------------------------------------------------------------ the cycle */

struct cycle_req {
    struct engine_session *s;
    int dbid;
    int filler;
};

/* Is the newest mapping entry at least a minute old (engine clock)? */
static bool mapping_idle(struct engine_session *s, int dbid)
{
    char now[40], sql[300];
    now_datetime(s, now, sizeof(now));
    char *q = sqlite3_mprintf("SELECT coalesce(max(tran_end_time) <= strftime('%%Y-%%m-%%d %%H:%%M:%%f', %Q, '-1 minutes'), 1)"
                              " FROM \"d%d\".tl_cdc_lsn_time",
                              now, dbid);
    snprintf(sql, sizeof(sql), "%s", q ? q : "SELECT 0");
    sqlite3_free(q);
    return exec_query_int(s, sql, 0, NULL) != 0;
}

static int cycle_run(void *arg, struct sqlerr *e)
{
    struct cycle_req *req = arg;
    struct engine_session *s = req->s;
    int dbid = req->dbid;
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT captured_commit FROM \"d%d\".tl_cdc_state", dbid);
    int64_t hwm = exec_query_int(s, sql, -1, NULL);
    if (hwm < 0)
        return 0; /* not enabled (any more) */
    snprintf(sql, sizeof(sql), "SELECT max(commit_id) FROM \"d%d\".tl_commits", dbid);
    int64_t top = exec_query_int(s, sql, 0, NULL);
    if (top < hwm)
        top = hwm;
    struct cycle cy;
    memset(&cy, 0, sizeof(cy));
    cy.s = s;
    cy.dbid = dbid;
    arena_init(&cy.a, 0, 0);
    bool wrote = false;
    int rc = mark_new_instances(&cy, &wrote, e);
    if (rc == 0)
        rc = load_instances(&cy, e);
    sqlite3_stmt *cm = NULL;
    if (rc == 0 && top > hwm && cy.nin > 0) {
        snprintf(sql, sizeof(sql),
                 "SELECT commit_id, begin_time, end_time, tran_id FROM \"d%d\".tl_commits WHERE commit_id > %lld"
                 " AND commit_id <= %lld ORDER BY commit_id",
                 dbid, (long long)hwm, (long long)top);
        if (sqlite3_prepare_v2(s->db, sql, -1, &cm, NULL) != SQLITE_OK)
            rc = fail_sqlite(s, e);
        int r;
        while (rc == 0 && (r = sqlite3_step(cm)) == SQLITE_ROW) {
            rc = capture_commit(&cy, cm, e);
            wrote |= cy.mapped;
        }
    }
    sqlite3_finalize(cm);
    free_instances(&cy);
    arena_free(&cy.a);
    if (rc)
        return -1;
    /* captured: journal rows of tables without Change Tracking go */
    char *q = catalog_sqlf("DELETE FROM \"d%1$d\".tl_journal WHERE commit_id <= %2$lld AND object_id NOT IN"
                              " (SELECT object_id FROM \"d%1$d\".tl_journaled WHERE ct = 1);"
                              "UPDATE \"d%1$d\".tl_cdc_state SET captured_commit = %2$lld;",
                              dbid, (long long)top);
    rc = q ? exec_sql(s, q, e) : -1;
    sqlite3_free(q);
    if (rc)
        return -1;
    if (!wrote && (req->filler == CDC_FILLER_ALWAYS || (req->filler == CDC_FILLER_IDLE && mapping_idle(s, dbid)))) {
        uint8_t lsn[CDC_LSN_LEN];
        if (add_filler(s, dbid, top, NULL, lsn, e) < 0)
            return -1;
    }
    return cleanup_retention(s, dbid, e);
}

/* Would a cycle change anything? New commits, new instances, or a filler
 * due (cleanup depends only on the entries, so it has nothing new to do
 * either). A read: the background job takes no write lock for nothing. */
static bool work_to_do(struct engine_session *s, int dbid, int filler)
{
    if (filler == CDC_FILLER_ALWAYS)
        return true;
    char sql[400];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce((SELECT max(commit_id) FROM \"d%d\".tl_commits), 0) >"
             " coalesce((SELECT captured_commit FROM \"d%d\".tl_cdc_state), 0)"
             " OR EXISTS (SELECT 1 FROM \"d%d\".tl_cdc_tables WHERE start_lsn IS NULL)",
             dbid, dbid, dbid);
    if (exec_query_int(s, sql, 1, NULL))
        return true;
    /* no capture job before the first table is enabled, hence no fillers */
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"d%d\".tl_cdc_tables", dbid);
    return filler == CDC_FILLER_IDLE && exec_query_int(s, sql, 0, NULL) > 0 && mapping_idle(s, dbid);
}

int cdc_capture_db(struct engine_session *s, int dbid, int filler, struct sqlerr *e)
{
    if (!work_to_do(s, dbid, filler))
        return 0;
    struct cycle_req r = {s, dbid, filler};
    return in_write_txn(s, dbid, cycle_run, &r, e);
}

/* ------------------------------------------------------------ the job */

struct cdc_job {
    struct engine *eng;
    struct engine_session *s;
    unsigned delay_ms;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static int ev_columns(void *c, const struct engine_column *cols, size_t n) { (void)c, (void)cols, (void)n; return 0; }
static int ev_row(void *c, const struct tl_value *v, size_t n) { (void)c, (void)v, (void)n; return 0; }
static int ev_done(void *c, unsigned f, uint16_t cmd, uint64_t n) { (void)c, (void)f, (void)cmd, (void)n; return 0; }
static int ev_message(void *c, const struct engine_msg *m, bool err)
{
    (void)c;
    if (err)
        sl_log(SL_LOG_WARN, "cdc", "capture job: Msg %d: %s", (int)m->number, m->text);
    return 0;
}
static int ev_env(void *c, const struct engine_env *e) { (void)c, (void)e; return 0; }
static int ev_ret(void *c, int32_t st) { (void)c, (void)st; return 0; }

static const struct engine_out job_out = {ev_columns, ev_row, ev_done, ev_message, ev_env, ev_ret, NULL, NULL, NULL};

/* One pass over the databases enabled for CDC (master's list). */
static void job_pass(struct cdc_job *j)
{
    struct engine_session *s = j->s;
    sqlite3_stmt *st = NULL;
    int ids[64], n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT database_id FROM \"d1\".tl_databases WHERE is_cdc_enabled = 1", -1, &st,
                           NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW && n < 64)
            ids[n++] = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        struct sqlerr e = {0};
        arena_reset(&s->ba);
        arena_reset(&s->ra);
        bool failed = catalog_attach(s, ids[i], &e) || cdc_capture_db(s, ids[i], CDC_FILLER_IDLE, &e);
        if (failed && e.number != 1222) /* 1222: a writer held the database; the next cycle retries */
            sl_log(SL_LOG_WARN, "cdc", "capture of database %d failed: Msg %d: %s", ids[i], e.number, e.text);
    }
    /* forget databases that are gone or no longer enabled */
    for (int k = s->nattached - 1; k >= 0; k--) {
        bool keep = s->attached[k] == 1;
        for (int i = 0; i < n; i++)
            keep |= s->attached[k] == ids[i];
        if (keep)
            continue;
        char sql[48];
        snprintf(sql, sizeof(sql), "DETACH DATABASE \"d%d\"", s->attached[k]);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        s->attached[k] = s->attached[--s->nattached];
    }
}

static void *job_main(void *arg)
{
    struct cdc_job *j = arg;
    /* signals (SIGTERM, SIGINT ...) are the server's main thread's business */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)(j->delay_ms / 1000);
        until.tv_nsec += (long)(j->delay_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!j->stop && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0)
            ;
        if (j->stop)
            break;
        pthread_mutex_unlock(&j->mu);
        job_pass(j);
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

int cdc_job_start(struct engine *eng, unsigned delay_ms, struct sl_err *err)
{
    struct cdc_job *j = sl_calloc(1, sizeof(*j));
    if (!j)
        return sl_err_set(err, SL_ENOMEM, "out of memory starting the CDC capture job");
    j->eng = eng;
    j->delay_ms = delay_ms;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    if (engine_session_open_internal(eng, &job_out, j, &j->s)) {
        pthread_mutex_destroy(&j->mu);
        pthread_cond_destroy(&j->cv);
        sl_free(j);
        return sl_err_set(err, SL_EIO, "cannot open the CDC capture job's session");
    }
    /* never wait long for a busy writer: the next cycle retries */
    sqlite3_busy_timeout(j->s->db, 200);
    if (pthread_create(&j->th, NULL, job_main, j) != 0) {
        engine_session_close(j->s);
        pthread_mutex_destroy(&j->mu);
        pthread_cond_destroy(&j->cv);
        sl_free(j);
        return sl_err_set(err, SL_EIO, "cannot start the CDC capture job thread");
    }
    eng->cdc_job = j;
    return 0;
}

void cdc_job_stop(struct engine *eng)
{
    struct cdc_job *j = eng->cdc_job;
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stop = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    sqlite3_interrupt(j->s->db);
    pthread_join(j->th, NULL);
    engine_session_close(j->s);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    sl_free(j);
    eng->cdc_job = NULL;
}
