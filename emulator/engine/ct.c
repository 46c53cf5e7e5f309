/*
 * ct: SQL Server Change Tracking on top of the change journal (journal.c).
 *
 * Owns: ALTER DATABASE ... SET CHANGE_TRACKING, ALTER TABLE ... ENABLE /
 * DISABLE CHANGE_TRACKING, what DROP TABLE / TRUNCATE / dropping the
 * primary key do to a tracked table, the functions CHANGETABLE(CHANGES |
 * VERSION), CHANGE_TRACKING_CURRENT_VERSION, CHANGE_TRACKING_MIN_VALID_
 * VERSION, CHANGE_TRACKING_IS_COLUMN_IN_MASK and DATABASEPROPERTYEX, the
 * batch-level 22105 check, WITH CHANGE_TRACKING_CONTEXT, and retention
 * cleanup (automatic and sys.sp_flush_CT_internal_table_on_demand).
 *
 * State:
 *   master's tl_ct_databases(database_id, retention, units, auto_cleanup):
 *     one row per database with CT on (sys.change_tracking_databases);
 *   each database's tl_ct_tables(object_id, track_columns, begin_version,
 *     cleanup_version, min_valid_version): one row per tracked table
 *     (sys.change_tracking_tables), plus its tl_journaled row with ct = 1;
 *   each database's CT counter: tl_meta 'ct_version', moved only by
 *     journal_commit, so it survives CT OFF/ON and never counts a
 *     transaction that is still open.
 *
 * CHANGETABLE(CHANGES t, @v) is the eponymous virtual table tl_ct_changes:
 * its rows are folded in C from the journal rows of t whose commit has a
 * CT version above max(@v, begin_version), read through the session's own
 * connection inside the running statement, so a SNAPSHOT transaction sees
 * CHANGETABLE, the CT functions and the base table at one point in time.
 * Folding (SQL Server's net rules): a primary-key UPDATE is a delete of
 * the old key and an insert of the new one, every delete of a statement
 * before its inserts; per key, D if the last event deletes it, else I if
 * the first event inserts it, else U; the version is the last event's,
 * the creation version the last insert's (NULL without one).
 *
 * Cleanup: a commit older than the retention (by the engine clock) is
 * expired; the cleanup version V is the highest CT version among expired
 * commits; each tracked table loses its journal rows of versions <= V and
 * gets cleanup_version = V, min_valid_version = max(min_valid, V + 1).
 * Automatic cleanup (AUTO_CLEANUP = ON) runs at most every 30 engine-clock
 * minutes per database, checked at the start of a batch outside a
 * transaction and after a COMMIT; it never waits for a lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "eng.h"

#define CT_MAX_KEYS 32
#define CT_CLEANUP_EVERY_MS (30LL * 60 * 1000)

/* ------------------------------------------------------------ tables */

int ct_init_file(sqlite3 *db, const char *alias, struct sqlerr *e)
{
    return catalog_init_tables(db, alias,
                               "CREATE TABLE IF NOT EXISTS %1$s.tl_ct_databases(database_id INTEGER PRIMARY KEY,"
                               " retention INTEGER NOT NULL, units INTEGER NOT NULL, auto_cleanup INTEGER NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS %1$s.tl_ct_tables(object_id INTEGER PRIMARY KEY,"
                               " track_columns INTEGER NOT NULL, begin_version INTEGER NOT NULL,"
                               " cleanup_version INTEGER NOT NULL, min_valid_version INTEGER NOT NULL);",
                               "the change tracking tables", e);
}

struct ct_db {
    bool on;
    int64_t retention; /* in units */
    int units;         /* 1 minutes, 2 hours, 3 days */
    bool auto_cleanup;
};

static void db_state(struct engine_session *s, int dbid, struct ct_db *d)
{
    sqlite3_stmt *st = NULL;
    char sql[160];
    memset(d, 0, sizeof(*d));
    snprintf(sql, sizeof(sql),
             "SELECT retention, units, auto_cleanup FROM \"d1\".tl_ct_databases WHERE database_id = %d", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        d->on = true;
        d->retention = sqlite3_column_int64(st, 0);
        d->units = sqlite3_column_int(st, 1);
        d->auto_cleanup = sqlite3_column_int(st, 2) != 0;
    }
    sqlite3_finalize(st);
}

struct ct_tab {
    bool tracked;
    bool track_columns;
    int64_t begin, cleanup, min_valid;
};

static void tab_state(struct engine_session *s, int dbid, int64_t oid, struct ct_tab *t)
{
    sqlite3_stmt *st = NULL;
    char sql[200];
    memset(t, 0, sizeof(*t));
    snprintf(sql, sizeof(sql),
             "SELECT track_columns, begin_version, cleanup_version, min_valid_version FROM \"d%d\".tl_ct_tables"
             " WHERE object_id = %lld",
             dbid, (long long)oid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        t->tracked = true;
        t->track_columns = sqlite3_column_int(st, 0) != 0;
        t->begin = sqlite3_column_int64(st, 1);
        t->cleanup = sqlite3_column_int64(st, 2);
        t->min_valid = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
}

bool ct_table_tracked(struct engine_session *s, int dbid, int64_t object_id)
{
    struct ct_tab t;
    tab_state(s, dbid, object_id, &t);
    return t.tracked;
}

/* The primary key of tm, or NULL. */
static struct idx_meta *pk_index(struct table_meta *tm)
{
    for (int k = 0; k < tm->nidx; k++)
        if (tm->idx[k].pk)
            return &tm->idx[k];
    return NULL;
}

static int col_index(const struct table_meta *tm, int colid)
{
    for (int i = 0; i < tm->ncols; i++)
        if (tm->cols[i].id == colid)
            return i;
    return -1;
}

static int run_sql(struct engine_session *s, char *sql, struct sqlerr *e)
{
    if (!sql) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    int rc = exec_sql(s, sql, e);
    sqlite3_free(sql);
    return rc;
}

/* ------------------------------------------------------------ ALTER DATABASE */

/* SQL Server follows these errors with Msg 5069. */
static int alter_db_fail(struct engine_session *s, struct stmt *st, int number, int state, const char *text,
                         struct sqlerr *e)
{
    exec_msg(s, number, 16, state, st->line + s->line_base, text, true);
    sqlerr_set(e, 5069, 16, "ALTER DATABASE statement failed.");
    return -1;
}

int ct_alter_db(struct engine_session *s, struct stmt *st, int dbid, const char *dbname, struct sqlerr *e)
{
    char msg[600];
    if (st->ndbopts > 1)
        return alter_db_fail(s, st, 22114, 1,
                             "Change tracking options for ALTER DATABASE cannot be combined with other ALTER DATABASE options.", e);
    if (ieq(dbname, "master") || ieq(dbname, "tempdb") || ieq(dbname, "model") || ieq(dbname, "msdb")) {
        snprintf(msg, sizeof(msg),
                 "Database '%s' is a system database. Change tracking settings cannot be modified for system databases.",
                 dbname);
        return alter_db_fail(s, st, 5090, 1, msg, e);
    }
    if (catalog_attach(s, dbid, e))
        return -1;
    struct ct_db d;
    db_state(s, dbid, &d);
    if (st->ct_state == 1) {
        if (d.on) {
            snprintf(msg, sizeof(msg), "Change tracking is already enabled for database '%s'.", dbname);
            return alter_db_fail(s, st, 5088, 1, msg, e);
        }
        return run_sql(s,
                       sqlite3_mprintf("INSERT INTO \"d1\".tl_ct_databases VALUES (%d, %lld, %d, %d)", dbid,
                                       (long long)(st->ct_retention >= 0 ? st->ct_retention : 2),
                                       st->ct_retention >= 0 ? st->ct_units : 3,
                                       st->ct_auto_cleanup >= 0 ? st->ct_auto_cleanup : 1),
                       e);
    }
    if (!d.on) {
        snprintf(msg, sizeof(msg),
                 "Change tracking is disabled for database '%s'. Change tracking must be enabled on a database to modify change tracking settings.",
                 dbname);
        return alter_db_fail(s, st, 5089, st->ct_state == 0 ? 1 : 2, msg, e);
    }
    if (st->ct_state == 0) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT 1 FROM \"d%d\".tl_ct_tables LIMIT 1", dbid);
        bool any;
        exec_query_int(s, sql, 0, &any);
        if (any) {
            snprintf(msg, sizeof(msg),
                     "Change tracking is enabled for one or more tables in database '%s'. Disable change tracking on each table before disabling it for the database. Use the sys.change_tracking_tables catalog view to obtain a list of tables for which change tracking is enabled.",
                     dbname);
            return alter_db_fail(s, st, 22115, 1, msg, e);
        }
        return run_sql(s, sqlite3_mprintf("DELETE FROM \"d1\".tl_ct_databases WHERE database_id = %d", dbid), e);
    }
    if (st->ct_retention >= 0 &&
        run_sql(s,
                sqlite3_mprintf("UPDATE \"d1\".tl_ct_databases SET retention = %lld, units = %d WHERE database_id = %d",
                                (long long)st->ct_retention, st->ct_units, dbid),
                e))
        return -1;
    if (st->ct_auto_cleanup >= 0 &&
        run_sql(s,
                sqlite3_mprintf("UPDATE \"d1\".tl_ct_databases SET auto_cleanup = %d WHERE database_id = %d",
                                st->ct_auto_cleanup, dbid),
                e))
        return -1;
    return 0;
}

void ct_drop_db(struct engine_session *s, int dbid)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "DELETE FROM \"d1\".tl_ct_databases WHERE database_id = %d", dbid);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* ------------------------------------------------------------ tables: DDL */

/* Forget a table's tracking: its row, and its journal rows unless CDC
 * still needs them. Inside the caller's statement transaction. */
static int forget_table(struct engine_session *s, int dbid, int64_t oid, struct sqlerr *e)
{
    return run_sql(s,
                   sqlite3_mprintf(
                       "DELETE FROM \"d%d\".tl_ct_tables WHERE object_id = %lld;"
                       "DELETE FROM \"d%d\".tl_journal WHERE object_id = %lld AND NOT EXISTS"
                       " (SELECT 1 FROM \"d%d\".tl_journaled WHERE object_id = %lld AND cdc = 1);"
                       "UPDATE \"d%d\".tl_journaled SET ct = 0 WHERE object_id = %lld;"
                       "DELETE FROM \"d%d\".tl_journaled WHERE object_id = %lld AND ct = 0 AND cdc = 0;",
                       dbid, (long long)oid, dbid, (long long)oid, dbid, (long long)oid, dbid, (long long)oid,
                       dbid, (long long)oid),
                   e);
}

int ct_alter_table(struct engine_session *s, struct stmt *st, struct table_meta *tm, struct sqlerr *e)
{
    struct ct_tab t;
    if (txn_lock(s, tm->dbid, e))
        return -1;
    tab_state(s, tm->dbid, tm->object_id, &t);
    if (st->akind == AT_DISABLE_CT) {
        if (!t.tracked) {
            sqlerr_set(e, 4998, 16, "Change tracking is not enabled on table '%s'.", tm->name);
            return -1;
        }
        return forget_table(s, tm->dbid, tm->object_id, e);
    }
    struct ct_db d;
    db_state(s, tm->dbid, &d);
    if (!d.on) {
        sqlerr_set(e, 1718, 16, "Change tracking must be enabled on database '%s' before it can be enabled on table '%s'.",
                   tm->dbname, tm->name);
        return -1;
    }
    if (t.tracked) {
        sqlerr_set(e, 4996, 16, "Change tracking is already enabled for table '%s'.", tm->name);
        return -1;
    }
    struct idx_meta *pk = pk_index(tm);
    if (!pk) {
        sqlerr_set(e, 4997, 16, "Cannot enable change tracking on table '%s'. Change tracking requires a primary key on the table. Create a primary key on the table before enabling change tracking.",
                   tm->name);
        return -1;
    }
    for (int k = 0; k < pk->ncols; k++) {
        int ci = col_index(tm, pk->cols[k]);
        if (ci >= 0 && tm->cols[ci].type.id == TL_T_ROWVERSION) {
            sqlerr_set(e, 4999, 16, "Cannot enable change tracking on table '%s'. Change tracking does not support a primary key of type timestamp on a table.",
                       tm->name);
            return -1;
        }
    }
    long long cur = (long long)journal_ct_counter(s, tm->dbid);
    return run_sql(s,
                   sqlite3_mprintf("INSERT INTO \"d%d\".tl_ct_tables VALUES (%lld, %d, %lld, 0, %lld);"
                                   "INSERT INTO \"d%d\".tl_journaled(object_id, ct) VALUES (%lld, 1)"
                                   " ON CONFLICT(object_id) DO UPDATE SET ct = 1;",
                                   tm->dbid, (long long)tm->object_id, st->ct_track_columns == 1, cur, cur, tm->dbid,
                                   (long long)tm->object_id),
                   e);
}

int ct_drop_table(struct engine_session *s, struct table_meta *tm, struct sqlerr *e)
{
    if (!ct_table_tracked(s, tm->dbid, tm->object_id))
        return 0;
    return forget_table(s, tm->dbid, tm->object_id, e);
}

int ct_truncate(struct engine_session *s, struct table_meta *tm, struct sqlerr *e)
{
    if (!ct_table_tracked(s, tm->dbid, tm->object_id))
        return 0;
    /* history restarts as if tracking had just been enabled */
    long long cur = (long long)journal_ct_counter(s, tm->dbid);
    return run_sql(s,
                   sqlite3_mprintf("UPDATE \"d%d\".tl_ct_tables SET begin_version = %lld, min_valid_version = %lld"
                                   " WHERE object_id = %lld;"
                                   "DELETE FROM \"d%d\".tl_journal WHERE object_id = %lld AND NOT EXISTS"
                                   " (SELECT 1 FROM \"d%d\".tl_journaled WHERE object_id = %lld AND cdc = 1);",
                                   tm->dbid, cur, cur, (long long)tm->object_id, tm->dbid, (long long)tm->object_id,
                                   tm->dbid, (long long)tm->object_id),
                   e);
}

int ct_drop_pk_check(struct engine_session *s, struct stmt *st, struct table_meta *tm, const char *cons,
                     struct sqlerr *e)
{
    if (!ct_table_tracked(s, tm->dbid, tm->object_id))
        return 0;
    char msg[700];
    snprintf(msg, sizeof(msg),
             "The primary key constraint '%s' on table '%s' cannot be dropped because change tracking is enabled on the table. Change tracking requires a primary key constraint on the table. Disable change tracking before dropping the constraint.",
             cons, tm->name);
    exec_msg(s, 3735, 16, 1, st->line + s->line_base, msg, true);
    sqlerr_set(e, 3727, 16, "Could not drop constraint. See previous errors.");
    return -1;
}

/* ------------------------------------------------------------ folding */

/* One key's net change relative to the baseline (CHANGETABLE's row). */
struct grp {
    uint64_t hash;
    int next;                 /* hash chain, -1 ends */
    const struct jcol **key;  /* npk key values, the first event's spelling */
    char first, last;         /* 'I' 'U' 'D' */
    int64_t ver, cver;
    bool has_cver;
    bool cols_null;           /* a delete/insert, or one update set every column */
    int *cols;                /* union of updated column_ids, first-set order */
    int ncols, capcols;
    const uint8_t *ctx;       /* context of the last event */
    size_t nctx;
    bool has_ctx;
};

/* An event waiting for its statement's deletes (the insert half of a
 * primary-key UPDATE). */
struct pend {
    const struct jcol *img;
    int nimg;
    int64_t ver;
    const uint8_t *ctx;
    size_t nctx;
    bool has_ctx;
};

struct fold {
    struct arena *a;
    struct table_meta *tm;
    int npk;
    int pkid[CT_MAX_KEYS];
    struct tl_type pkty[CT_MAX_KEYS];
    bool pkstr[CT_MAX_KEYS];  /* string key: hashed case- and trailing-space-insensitively */
    int *settable;            /* non-key columns an UPDATE can set */
    int nsettable;
    struct grp *g;
    int ng, capg;
    int *bucket;
    int nbucket;
    struct pend *pend;
    int npend, cappend;
    int64_t pend_commit;
    int pend_stmt;
    bool oom;
};

static const struct jcol *img_col(const struct jcol *img, int n, int colid)
{
    for (int i = 0; i < n; i++)
        if (img[i].column_id == colid)
            return &img[i];
    return NULL;
}

static void jcol_value(const struct jcol *c, struct tl_value *v)
{
    memset(v, 0, sizeof(*v));
    if (!c || c->kind == 0) {
        v->kind = TL_V_NULL;
    } else if (c->kind == 1) {
        v->kind = TL_V_INT;
        v->i = c->i;
    } else if (c->kind == 2) {
        v->kind = TL_V_REAL;
        v->r = c->d;
    } else {
        v->kind = c->kind == 3 ? TL_V_TEXT : TL_V_BLOB;
        v->p = c->p;
        v->n = c->n;
    }
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Hash of a key consistent with SQL Server equality (value_compare):
 * strings ignore ASCII case, trailing spaces and non-ASCII bytes. */
static uint64_t key_hash(const struct fold *f, const struct jcol *const *key)
{
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < f->npk; k++) {
        const struct jcol *c = key[k];
        int kind = c ? c->kind : 0;
        h = mix(h, &kind, sizeof(kind));
        if (kind == 1) {
            h = mix(h, &c->i, 8);
        } else if (kind == 2) {
            double d = c->d == 0 ? 0 : c->d;
            h = mix(h, &d, 8);
        } else if (kind == 3 && f->pkstr[k]) {
            size_t n = c->n;
            while (n && c->p[n - 1] == ' ')
                n--;
            for (size_t i = 0; i < n; i++) {
                uint8_t b = c->p[i];
                if (b >= 0x80)
                    continue;
                if (b >= 'a' && b <= 'z')
                    b = (uint8_t)(b - 32);
                h = mix(h, &b, 1);
            }
        } else if (kind == 3 || kind == 4) {
            h = mix(h, c->p, c->n);
        }
    }
    return h;
}

static bool key_equal(const struct fold *f, const struct jcol *const *x, const struct jcol *const *y)
{
    for (int k = 0; k < f->npk; k++) {
        struct tl_value a, b;
        struct value_error ve;
        jcol_value(x[k], &a);
        jcol_value(y[k], &b);
        if (a.kind == TL_V_NULL || b.kind == TL_V_NULL) {
            if (a.kind != b.kind)
                return false;
            continue;
        }
        if (value_compare(&a, &f->pkty[k], &b, &f->pkty[k], &ve) != 0)
            return false;
    }
    return true;
}

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *n = sl_realloc(*p, elem * (size_t)nc);
    if (!n)
        return -1;
    *p = n;
    *cap = nc;
    return 0;
}

static void rehash(struct fold *f)
{
    int nb = f->nbucket ? f->nbucket * 2 : 256;
    int *b = sl_malloc(sizeof(int) * (size_t)nb);
    if (!b) {
        f->oom = true;
        return;
    }
    for (int i = 0; i < nb; i++)
        b[i] = -1;
    for (int i = 0; i < f->ng; i++) {
        int slot = (int)(f->g[i].hash & (uint64_t)(nb - 1));
        f->g[i].next = b[slot];
        b[slot] = i;
    }
    sl_free(f->bucket);
    f->bucket = b;
    f->nbucket = nb;
}

static struct grp *find_grp(struct fold *f, const struct jcol *img, int nimg, char kind)
{
    const struct jcol **key = arena_alloc(f->a, sizeof(*key) * (size_t)f->npk);
    if (!key) {
        f->oom = true;
        return NULL;
    }
    for (int k = 0; k < f->npk; k++)
        key[k] = img_col(img, nimg, f->pkid[k]);
    uint64_t h = key_hash(f, key);
    if (f->nbucket)
        for (int i = f->bucket[h & (uint64_t)(f->nbucket - 1)]; i >= 0; i = f->g[i].next)
            if (f->g[i].hash == h && key_equal(f, f->g[i].key, key))
                return &f->g[i];
    if (f->ng + 1 > f->nbucket / 2) {
        rehash(f);
        if (f->oom)
            return NULL;
    }
    if (grow((void **)&f->g, &f->capg, f->ng + 1, sizeof(struct grp))) {
        f->oom = true;
        return NULL;
    }
    struct grp *g = &f->g[f->ng];
    memset(g, 0, sizeof(*g));
    g->hash = h;
    g->key = key;
    g->first = kind;
    int slot = (int)(h & (uint64_t)(f->nbucket - 1));
    g->next = f->bucket[slot];
    f->bucket[slot] = f->ng++;
    return g;
}

/* Does an update's column list set every settable non-key column? */
static bool sets_all(const struct fold *f, const int *cols, int n)
{
    if (!f->nsettable)
        return true;
    for (int i = 0; i < f->nsettable; i++) {
        bool found = false;
        for (int k = 0; k < n && !found; k++)
            found = cols[k] == f->settable[i];
        if (!found)
            return false;
    }
    return true;
}

static void apply(struct fold *f, char kind, const struct jcol *img, int nimg, int64_t ver, const int *cols,
                  int ncols, const uint8_t *ctx, size_t nctx, bool has_ctx)
{
    struct grp *g = find_grp(f, img, nimg, kind);
    if (!g)
        return;
    g->last = kind;
    g->ver = ver;
    if (kind == 'I') {
        g->cver = ver;
        g->has_cver = true;
    }
    g->ctx = ctx;
    g->nctx = nctx;
    g->has_ctx = has_ctx;
    if (kind != 'U' || sets_all(f, cols, ncols)) {
        g->cols_null = true;
        return;
    }
    for (int k = 0; k < ncols; k++) {
        bool seen = false;
        for (int i = 0; i < g->ncols && !seen; i++)
            seen = g->cols[i] == cols[k];
        if (seen)
            continue;
        if (g->ncols == g->capcols) {
            int nc = g->capcols ? g->capcols * 2 : 8;
            int *n = arena_alloc(f->a, sizeof(int) * (size_t)nc);
            if (!n) {
                f->oom = true;
                return;
            }
            if (g->ncols)
                memcpy(n, g->cols, sizeof(int) * (size_t)g->ncols);
            g->cols = n;
            g->capcols = nc;
        }
        g->cols[g->ncols++] = cols[k];
    }
}

static void flush_pending(struct fold *f)
{
    for (int i = 0; i < f->npend; i++) {
        struct pend *p = &f->pend[i];
        apply(f, 'I', p->img, p->nimg, p->ver, NULL, 0, p->ctx, p->nctx, p->has_ctx);
    }
    f->npend = 0;
}

static bool cols_touch_key(const struct fold *f, const int *cols, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < f->npk; k++)
            if (cols[i] == f->pkid[k])
                return true;
    return false;
}

/* Copy of a column blob into the fold's arena (NULL for SQL NULL). */
static const uint8_t *blob_copy(struct fold *f, sqlite3_stmt *st, int i, size_t *n)
{
    *n = (size_t)sqlite3_column_bytes(st, i);
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    const void *p = sqlite3_column_blob(st, i);
    uint8_t *c = arena_alloc(f->a, *n ? *n : 1);
    if (!c) {
        f->oom = true;
        return NULL;
    }
    if (*n)
        memcpy(c, p, *n);
    return c;
}

/* Feed one journal row (columns: ct_version, commit_id, stmt, op, cols,
 * context, before, after) to the fold. */
static int fold_row(struct fold *f, sqlite3_stmt *st)
{
    int64_t ver = sqlite3_column_int64(st, 0);
    int64_t cid = sqlite3_column_int64(st, 1);
    int stmt = sqlite3_column_int(st, 2);
    int op = sqlite3_column_int(st, 3);
    size_t ncb, nctx, nb, na;
    const uint8_t *cb = blob_copy(f, st, 4, &ncb);
    const uint8_t *ctx = blob_copy(f, st, 5, &nctx);
    bool has_ctx = sqlite3_column_type(st, 5) != SQLITE_NULL;
    const uint8_t *bp = blob_copy(f, st, 6, &nb);
    const uint8_t *ap = blob_copy(f, st, 7, &na);
    if (f->oom)
        return -1;
    if (cid != f->pend_commit || stmt != f->pend_stmt)
        flush_pending(f);
    f->pend_commit = cid;
    f->pend_stmt = stmt;
    struct jcol *before = NULL, *after = NULL;
    int nbef = 0, naft = 0;
    if ((bp && journal_image_decode(f->a, bp, nb, &before, &nbef)) ||
        (ap && journal_image_decode(f->a, ap, na, &after, &naft)))
        return -1;
    int ncols = (int)(ncb / 4);
    int *cols = arena_alloc(f->a, sizeof(int) * (size_t)(ncols ? ncols : 1));
    if (!cols)
        return -1;
    for (int i = 0; i < ncols; i++)
        cols[i] = (int)((uint32_t)cb[4 * i] | (uint32_t)cb[4 * i + 1] << 8 | (uint32_t)cb[4 * i + 2] << 16 |
                        (uint32_t)cb[4 * i + 3] << 24);
    if (op == JOURNAL_INSERT && after) {
        apply(f, 'I', after, naft, ver, NULL, 0, ctx, nctx, has_ctx);
    } else if (op == JOURNAL_DELETE && before) {
        apply(f, 'D', before, nbef, ver, NULL, 0, ctx, nctx, has_ctx);
    } else if (op == JOURNAL_UPDATE && before && after) {
        if (!cols_touch_key(f, cols, ncols)) {
            apply(f, 'U', after, naft, ver, cols, ncols, ctx, nctx, has_ctx);
        } else {
            /* a primary-key UPDATE: delete now, insert after the
             * statement's other deletes */
            apply(f, 'D', before, nbef, ver, NULL, 0, ctx, nctx, has_ctx);
            if (grow((void **)&f->pend, &f->cappend, f->npend + 1, sizeof(struct pend)))
                return -1;
            f->pend[f->npend++] = (struct pend){after, naft, ver, ctx, nctx, has_ctx};
        }
    }
    return f->oom ? -1 : 0;
}

static void fold_free(struct fold *f)
{
    sl_free(f->g);
    sl_free(f->bucket);
    sl_free(f->pend);
    f->g = NULL;
    f->bucket = NULL;
    f->pend = NULL;
    f->ng = f->npend = f->capg = f->cappend = f->nbucket = 0;
}

/* Key columns and settable columns of tm; 0 or -1 (no primary key). */
static int fold_init(struct fold *f, struct arena *a, struct table_meta *tm)
{
    memset(f, 0, sizeof(*f));
    f->a = a;
    f->tm = tm;
    f->pend_commit = -1;
    struct idx_meta *pk = pk_index(tm);
    if (!pk)
        return -1;
    for (int k = 0; k < pk->ncols && k < CT_MAX_KEYS; k++) {
        int ci = col_index(tm, pk->cols[k]);
        f->pkid[f->npk] = pk->cols[k];
        f->pkty[f->npk] = ci >= 0 ? tm->cols[ci].type : (struct tl_type){TL_T_UNKNOWN, 0, 0, 0};
        f->pkstr[f->npk] = ci >= 0 && type_is_string(tm->cols[ci].type.id);
        f->npk++;
    }
    f->settable = arena_alloc(a, sizeof(int) * (size_t)(tm->ncols ? tm->ncols : 1));
    if (!f->settable)
        return -1;
    for (int i = 0; i < tm->ncols; i++) {
        bool key = false;
        for (int k = 0; k < f->npk; k++)
            key |= f->pkid[k] == tm->cols[i].id;
        if (!key && !tm->cols[i].identity && tm->cols[i].type.id != TL_T_ROWVERSION)
            f->settable[f->nsettable++] = tm->cols[i].id;
    }
    return 0;
}

/*
 * Fold the changes of table oid of database dbid after baseline last
 * (has_last false: all kept changes) into f. Returns 0, or -1 with e set.
 */
static int fold_changes(struct engine_session *s, struct fold *f, int dbid, int64_t oid, bool has_last,
                        int64_t last, struct sqlerr *e)
{
    struct ct_tab t;
    tab_state(s, dbid, oid, &t);
    if (!t.tracked) {
        sqlerr_set(e, 22105, 16, "Change tracking is not enabled on table '%s'.", f->tm->name);
        return -1;
    }
    if (has_last && last < 0)
        return 0; /* as SQL Server: a negative baseline returns no rows */
    int64_t lower = has_last && last > t.begin ? last : t.begin;
    char sql[400];
    snprintf(sql, sizeof(sql),
             "SELECT c.ct_version, j.commit_id, j.stmt, j.op, j.cols, j.context, j.before, j.after"
             " FROM \"d%d\".tl_journal j JOIN \"d%d\".tl_commits c ON c.commit_id = j.commit_id"
             " WHERE j.object_id = %lld AND c.ct_version > %lld ORDER BY j.seq",
             dbid, dbid, (long long)oid, (long long)lower);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fold_row(f, st)) {
            sqlite3_finalize(st);
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return -1;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        exec_sqlite_err(s, rc, e);
        return -1;
    }
    flush_pending(f);
    if (f->oom) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    /* SYS_CHANGE_COLUMNS only for an update of a table tracking columns */
    for (int i = 0; i < f->ng; i++)
        if (!t.track_columns)
            f->g[i].cols_null = true;
    return 0;
}

/* ------------------------------------------------------------ tl_ct_changes */

/* Columns: ver, cver, op, cols, ctx, k0 .. k31, then the hidden arguments. */
#define COL_KEY0 5
#define COL_ARG0 (COL_KEY0 + CT_MAX_KEYS)

struct ctv {
    sqlite3_vtab base;
    struct engine_session *s;
};

struct ctc {
    sqlite3_vtab_cursor base;
    struct arena a;
    struct fold f;
    int i;
    /* the arguments f was folded for: an inner loop filters again with
     * the same ones, and the data cannot change within one statement */
    bool done;
    int dbid;
    int64_t oid, last;
    bool has_last;
};

static int ctv_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    char schema[600];
    size_t n = (size_t)snprintf(schema, sizeof(schema), "CREATE TABLE x(ver, cver, op, cols, ctx");
    for (int k = 0; k < CT_MAX_KEYS; k++)
        n += (size_t)snprintf(schema + n, sizeof(schema) - n, ", k%d", k);
    snprintf(schema + n, sizeof(schema) - n, ", a_db HIDDEN, a_obj HIDDEN, a_last HIDDEN)");
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK)
        return rc;
    struct ctv *v = sqlite3_malloc(sizeof(*v));
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof(*v));
    v->s = aux;
    *pp = &v->base;
    return SQLITE_OK;
}

static int ctv_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int ctv_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    (void)vt;
    int have = 0;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn < COL_ARG0 || c->iColumn > COL_ARG0 + 2)
            continue;
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
            return SQLITE_CONSTRAINT;
        info->aConstraintUsage[i].argvIndex = c->iColumn - COL_ARG0 + 1;
        info->aConstraintUsage[i].omit = 1;
        have |= 1 << (c->iColumn - COL_ARG0);
    }
    if (have != 7)
        return SQLITE_CONSTRAINT;
    /* expensive to compute: the planner keeps it in the outer loop */
    info->estimatedCost = 1e7;
    info->estimatedRows = 1000;
    return SQLITE_OK;
}

static int ctv_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **pp)
{
    (void)vt;
    struct ctc *c = sqlite3_malloc(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    arena_init(&c->a, 0, 0);
    *pp = &c->base;
    return SQLITE_OK;
}

static int ctv_close(sqlite3_vtab_cursor *cur)
{
    struct ctc *c = (struct ctc *)cur;
    fold_free(&c->f);
    arena_free(&c->a);
    sqlite3_free(c);
    return SQLITE_OK;
}

/* Report e as the statement's error (exec_sqlite_err picks it up). */
static int vt_fail(sqlite3_vtab *vt, struct engine_session *s, const struct sqlerr *e)
{
    s->fnerr = *e;
    s->fnerr_set = true;
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = sqlite3_mprintf("%s", e->text);
    return SQLITE_ERROR;
}

static int ctv_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv)
{
    (void)idxNum;
    (void)idxStr;
    struct ctc *c = (struct ctc *)cur;
    struct ctv *v = (struct ctv *)cur->pVtab;
    struct engine_session *s = v->s;
    struct sqlerr e = {0};
    if (argc < 3)
        return SQLITE_ERROR;
    int dbid = sqlite3_value_int(argv[0]);
    int64_t oid = sqlite3_value_int64(argv[1]);
    bool has_last = sqlite3_value_type(argv[2]) != SQLITE_NULL;
    int64_t last = sqlite3_value_int64(argv[2]);
    c->i = 0;
    if (c->done && c->dbid == dbid && c->oid == oid && c->has_last == has_last && (!has_last || c->last == last))
        return SQLITE_OK;
    fold_free(&c->f);
    arena_reset(&c->a);
    c->done = false;
    struct table_meta *tm = catalog_table_by_id(s, &c->a, dbid, oid);
    if (!tm) {
        sqlerr_set(&e, 208, 16, "Invalid object name '%lld'.", (long long)oid);
        return vt_fail(cur->pVtab, s, &e);
    }
    if (fold_init(&c->f, &c->a, tm)) {
        sqlerr_set(&e, 22105, 16, "Change tracking is not enabled on table '%s'.", tm->name);
        return vt_fail(cur->pVtab, s, &e);
    }
    if (fold_changes(s, &c->f, dbid, oid, has_last, last, &e))
        return vt_fail(cur->pVtab, s, &e);
    c->done = true;
    c->dbid = dbid;
    c->oid = oid;
    c->has_last = has_last;
    c->last = last;
    return SQLITE_OK;
}

static int ctv_next(sqlite3_vtab_cursor *cur)
{
    ((struct ctc *)cur)->i++;
    return SQLITE_OK;
}

static int ctv_eof(sqlite3_vtab_cursor *cur)
{
    struct ctc *c = (struct ctc *)cur;
    return c->i >= c->f.ng;
}

static int ctv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    struct ctc *c = (struct ctc *)cur;
    struct grp *g = &c->f.g[c->i];
    char op = g->last == 'D' ? 'D' : g->first == 'I' ? 'I' : 'U';
    switch (col) {
    case 0: sqlite3_result_int64(ctx, g->ver); return SQLITE_OK;
    case 1:
        if (g->has_cver)
            sqlite3_result_int64(ctx, g->cver);
        else
            sqlite3_result_null(ctx);
        return SQLITE_OK;
    case 2: sqlite3_result_text(ctx, op == 'D' ? "D" : op == 'I' ? "I" : "U", 1, SQLITE_STATIC); return SQLITE_OK;
    case 3: {
        if (op != 'U' || g->cols_null || !g->ncols) {
            sqlite3_result_null(ctx);
            return SQLITE_OK;
        }
        /* SQL Server's layout: a 4-byte zero header, then each column_id as
         * a 4-byte little-endian int in the order first set */
        size_t n = 4 + 4 * (size_t)g->ncols;
        uint8_t *b = sqlite3_malloc((int)n);
        if (!b)
            return SQLITE_NOMEM;
        memset(b, 0, 4);
        for (int i = 0; i < g->ncols; i++)
            for (int k = 0; k < 4; k++)
                b[4 + 4 * i + k] = (uint8_t)((uint32_t)g->cols[i] >> (8 * k));
        sqlite3_result_blob(ctx, b, (int)n, sqlite3_free);
        return SQLITE_OK;
    }
    case 4:
        if (g->has_ctx)
            sqlite3_result_blob(ctx, g->ctx ? (const void *)g->ctx : "", (int)g->nctx, SQLITE_TRANSIENT);
        else
            sqlite3_result_null(ctx);
        return SQLITE_OK;
    default:
        break;
    }
    int k = col - COL_KEY0;
    const struct jcol *kc = k >= 0 && k < c->f.npk ? g->key[k] : NULL;
    if (!kc || kc->kind == 0)
        sqlite3_result_null(ctx);
    else if (kc->kind == 1)
        sqlite3_result_int64(ctx, kc->i);
    else if (kc->kind == 2)
        sqlite3_result_double(ctx, kc->d);
    else if (kc->kind == 3)
        sqlite3_result_text(ctx, (const char *)kc->p, (int)kc->n, SQLITE_TRANSIENT);
    else
        sqlite3_result_blob(ctx, kc->n ? (const void *)kc->p : "", (int)kc->n, SQLITE_TRANSIENT);
    return SQLITE_OK;
}

static int ctv_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = ((struct ctc *)cur)->i + 1;
    return SQLITE_OK;
}

static const sqlite3_module ct_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: tl_ct_changes(db, object, last) */
    .xConnect = ctv_connect,
    .xBestIndex = ctv_best_index,
    .xDisconnect = ctv_disconnect,
    .xDestroy = ctv_disconnect,
    .xOpen = ctv_open,
    .xClose = ctv_close,
    .xFilter = ctv_filter,
    .xNext = ctv_next,
    .xEof = ctv_eof,
    .xColumn = ctv_column,
    .xRowid = ctv_rowid,
};

/* ------------------------------------------------------------ scalar functions */

static struct engine_session *fsess(sqlite3_context *c) { return sqlite3_user_data(c); }

static void fn_fail(sqlite3_context *c, int number, const char *text)
{
    struct engine_session *s = fsess(c);
    sqlerr_set(&s->fnerr, number, 16, "%s", text);
    s->fnerr_set = true;
    sqlite3_result_error(c, text, -1);
}

/* tl_ct_current(dbid): CHANGE_TRACKING_CURRENT_VERSION(). */
static void fn_current(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    int dbid = sqlite3_value_int(argv[0]);
    struct ct_db d;
    db_state(s, dbid, &d);
    if (!d.on)
        sqlite3_result_null(c);
    else
        sqlite3_result_int64(c, journal_ct_counter(s, dbid));
}

/* tl_ct_minvalid(dbid, object_id): CHANGE_TRACKING_MIN_VALID_VERSION(). */
static void fn_minvalid(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    int dbid = sqlite3_value_int(argv[0]);
    struct ct_db d;
    struct ct_tab t;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int64_t oid = sqlite3_value_int64(argv[1]);
    db_state(s, dbid, &d);
    if (d.on)
        tab_state(s, dbid, oid, &t);
    if (!d.on || !t.tracked || !sec_has_perm(s, dbid, oid, "VIEW CHANGE TRACKING"))
        sqlite3_result_null(c);
    else
        sqlite3_result_int64(c, t.min_valid);
}

/* tl_ct_inmask(column_id, mask): CHANGE_TRACKING_IS_COLUMN_IN_MASK(). */
static void fn_inmask(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(c, 1); /* no mask: every column counts as changed */
        return;
    }
    const uint8_t *m = sqlite3_value_blob(argv[1]);
    int n = sqlite3_value_bytes(argv[1]);
    if (sqlite3_value_type(argv[1]) != SQLITE_BLOB || n < 8) {
        fn_fail(c, 22101, "The value supplied for the change_columns argument of CHANGE_TRACKING_IS_COLUMN_IN_MASK function is not valid. The value must be a bitmask returned by the CHANGETABLE(CHANGES ...) function.");
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int64_t want = sqlite3_value_int64(argv[0]);
    if (m[0] || m[1] || m[2] || m[3]) {
        sqlite3_result_int(c, 0);
        return;
    }
    for (int off = 4; off + 4 <= n; off += 4) {
        uint32_t id = (uint32_t)m[off] | (uint32_t)m[off + 1] << 8 | (uint32_t)m[off + 2] << 16 |
                      (uint32_t)m[off + 3] << 24;
        if ((int64_t)id == want) {
            sqlite3_result_int(c, 1);
            return;
        }
    }
    sqlite3_result_int(c, 0);
}

/* An argument as a value of type t (the key column's). */
static void arg_value(sqlite3_value *v, struct tl_value *out)
{
    memset(out, 0, sizeof(*out));
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: out->kind = TL_V_INT; out->i = sqlite3_value_int64(v); break;
    case SQLITE_FLOAT: out->kind = TL_V_REAL; out->r = sqlite3_value_double(v); break;
    case SQLITE_TEXT:
        out->kind = TL_V_TEXT;
        out->p = sqlite3_value_text(v);
        out->n = (size_t)sqlite3_value_bytes(v);
        break;
    case SQLITE_BLOB:
        out->kind = TL_V_BLOB;
        out->p = sqlite3_value_blob(v);
        out->n = (size_t)sqlite3_value_bytes(v);
        break;
    default: out->kind = TL_V_NULL; break;
    }
}

static bool image_has_key(const struct fold *f, const struct jcol *img, int nimg, sqlite3_value **keys)
{
    for (int k = 0; k < f->npk; k++) {
        struct tl_value a, b;
        struct value_error ve;
        jcol_value(img_col(img, nimg, f->pkid[k]), &a);
        arg_value(keys[k], &b);
        if (a.kind == TL_V_NULL || b.kind == TL_V_NULL ||
            value_compare(&a, &f->pkty[k], &b, &f->pkty[k], &ve) != 0)
            return false;
    }
    return true;
}

/*
 * tl_ct_version(dbid, object_id, what, key...): CHANGETABLE(VERSION ...)'s
 * SYS_CHANGE_VERSION (what 0) or SYS_CHANGE_CONTEXT (what 1) of the row
 * with that key: its last committed change after tracking began, NULL
 * when there is none (unchanged, cleaned up, or only changed by the
 * session's open transaction).
 */
static void fn_version(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct engine_session *s = fsess(c);
    int dbid = sqlite3_value_int(argv[0]);
    int64_t oid = sqlite3_value_int64(argv[1]);
    int what = sqlite3_value_int(argv[2]);
    struct arena a;
    struct fold f;
    struct ct_tab t;
    arena_init(&a, 0, 0);
    sqlite3_result_null(c);
    tab_state(s, dbid, oid, &t);
    struct table_meta *tm = t.tracked ? catalog_table_by_id(s, &a, dbid, oid) : NULL;
    if (!tm || fold_init(&f, &a, tm) || argc - 3 != f.npk) {
        arena_free(&a);
        return;
    }
    char sql[400];
    snprintf(sql, sizeof(sql),
             "SELECT c.ct_version, j.context, j.before, j.after FROM \"d%d\".tl_journal j"
             " JOIN \"d%d\".tl_commits c ON c.commit_id = j.commit_id"
             " WHERE j.object_id = %lld AND c.ct_version > %lld ORDER BY j.seq DESC",
             dbid, dbid, (long long)oid, (long long)t.begin);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            bool hit = false;
            for (int i = 2; i <= 3 && !hit; i++) {
                struct jcol *img;
                int n;
                if (sqlite3_column_type(st, i) == SQLITE_NULL ||
                    journal_image_decode(&a, sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i), &img, &n))
                    continue;
                hit = image_has_key(&f, img, n, argv + 3);
            }
            if (!hit)
                continue;
            if (what == 0)
                sqlite3_result_int64(c, sqlite3_column_int64(st, 0));
            else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                sqlite3_result_blob(c, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), SQLITE_TRANSIENT);
            break;
        }
    }
    sqlite3_finalize(st);
    fold_free(&f);
    arena_free(&a);
}

/* tl_dbpropex(name, property): DATABASEPROPERTYEX for the properties
 * tdslite knows; NULL for an unknown database or property. */
static void fn_dbpropex(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    const char *prop = (const char *)sqlite3_value_text(argv[1]);
    struct db_entry d;
    sqlite3_result_null(c);
    if (!name || !prop || catalog_find_db(s->eng, name, &d))
        return;
    if (ieq(prop, "IsChangeTrackingEnabled")) {
        struct ct_db cd;
        db_state(s, d.id, &cd);
        sqlite3_result_int(c, cd.on);
    } else if (ieq(prop, "Status")) {
        sqlite3_result_text(c, "ONLINE", -1, SQLITE_STATIC);
    } else if (ieq(prop, "Collation")) {
        sqlite3_result_text(c, "SQL_Latin1_General_CP1_CI_AS", -1, SQLITE_STATIC);
    } else if (ieq(prop, "Recovery")) {
        sqlite3_result_text(c, "FULL", -1, SQLITE_STATIC);
    } else if (ieq(prop, "Updateability")) {
        sqlite3_result_text(c, "READ_WRITE", -1, SQLITE_STATIC);
    } else if (ieq(prop, "UserAccess")) {
        sqlite3_result_text(c, "MULTI_USER", -1, SQLITE_STATIC);
    }
}

int ct_register(struct engine_session *s)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_ct_current", 1, fn_current},   {"tl_ct_minvalid", 2, fn_minvalid},
        {"tl_ct_inmask", 2, fn_inmask},     {"tl_ct_version", -1, fn_version},
        {"tl_dbpropex", 2, fn_dbpropex},
    };
    int rc = sqlite3_create_module_v2(s->db, "tl_ct_changes", &ct_module, s, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof(fns) / sizeof(fns[0]); i++)
        rc = sqlite3_create_function_v2(s->db, fns[i].name, fns[i].nargs, SQLITE_UTF8, s, fns[i].fn, NULL, NULL,
                                        NULL);
    return rc;
}

/* ------------------------------------------------------------ codegen */

/* SQL of expression x, generated on its own (parameters registered in
 * order); NULL on error (g->err). */
static char *expr_sql(struct gen *g, struct scope *sc, struct expr *x, struct tl_type *t)
{
    size_t mark = g->sql.len;
    bool nl;
    if (codegen_expr(g, sc, x, t, &nl))
        return NULL;
    char *r = arena_strndup(g->a, g->sql.data ? (char *)g->sql.data + mark : "", g->sql.len - mark);
    buf_truncate(&g->sql, mark);
    return r;
}

static bool system_schema(const char *schema)
{
    return schema && (ieq(schema, "sys") || ieq(schema, "INFORMATION_SCHEMA"));
}

/* CHANGETABLE's baseline: a bigint, or NULL. 8114 for a string variable,
 * 257 for a date/time one (as SQL Server); *sql set. */
static int last_sql(struct gen *g, struct from_item *f, char **sql)
{
    struct expr *x = f->ct_last;
    if (x->kind == EX_NULL) {
        *sql = "NULL";
        return 0;
    }
    if (x->kind == EX_INT) {
        long long v = strtoll(x->s, NULL, 10);
        *sql = arena_printf(g->a, "%lld", v);
        return 0;
    }
    struct var *v = exec_var(g->s, x->s);
    if (!v)
        return codegen_err(g, 137, 15, "Must declare the scalar variable \"%s\".", x->s);
    enum tl_type_id id = v->type.id;
    char tn[64];
    type_name(&v->type, tn, sizeof(tn));
    if (type_is_string(id))
        return codegen_err(g, 8114, 16, "Error converting data type %s to bigint.", value_type_base_name(id));
    if (type_is_datetime(id) || id == TL_T_UNIQUEIDENTIFIER || id == TL_T_XML || id == TL_T_SQL_VARIANT)
        return codegen_err(g, 257, 16,
                           "Implicit conversion from data type %s to bigint is not allowed. Use the CONVERT function to run this query.",
                           value_type_base_name(id));
    struct tl_type t;
    char *s = expr_sql(g, NULL, x, &t);
    if (!s)
        return -1;
    *sql = arena_printf(g->a, "CAST(%s AS INTEGER)", s);
    return 0;
}

/* Add the CHANGETABLE source to sc with its output columns; the caller
 * already emitted "(SELECT ... ) AS alias". */
static int add_src(struct gen *g, struct scope *sc, struct from_item *f, const char *sqlalias, struct colinfo *cols,
                   int ncols)
{
    if (f->ncolnames && f->ncolnames != ncols)
        return codegen_err(g, f->ncolnames < ncols ? 8158 : 8159, 16,
                           f->ncolnames < ncols ? "'%s' has more columns than were specified in the column list."
                                                : "'%s' has fewer columns than were specified in the column list.",
                           f->alias);
    struct src *s = codegen_scope_add(g, sc);
    if (!s)
        return -1;
    s->alias = f->alias;
    s->sqlalias = (char *)sqlalias;
    s->cols = cols;
    s->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        if (f->ncolnames)
            cols[i].name = f->colnames[i];
        cols[i].sql = arena_printf(g->a, "\"%s\".\"o%d\"", sqlalias, i + 1);
    }
    return 0;
}

static void set_col(struct colinfo *c, const char *name, struct tl_type t, bool nullable)
{
    memset(c, 0, sizeof(*c));
    c->name = (char *)name;
    c->type = t;
    c->nullable = nullable;
}

static int gen_version(struct gen *g, struct scope *sc, struct from_item *f, struct table_meta *tm,
                       struct idx_meta *pk, const char *alias)
{
    char *written = f->ct_written;
    /* columns: each in the key (22111), as many as the key (22110), once
     * each (22112); then one value per column (22103) */
    int *ord = arena_alloc(g->a, sizeof(int) * (size_t)(f->nct_cols ? f->nct_cols : 1));
    for (int i = 0; i < f->nct_cols; i++) {
        ord[i] = -1;
        for (int k = 0; k < pk->ncols; k++) {
            int ci = col_index(tm, pk->cols[k]);
            if (ci >= 0 && ieq(tm->cols[ci].name, f->ct_cols[i]))
                ord[i] = ci;
        }
        if (ord[i] < 0)
            return codegen_err(g, 22111, 16,
                               "The column '%s' specified in the CHANGETABLE(VERSION ...) function is not part of the primary key for table '%s'.",
                               f->ct_cols[i], written);
    }
    if (f->nct_cols != pk->ncols)
        return codegen_err(g, 22110, 16,
                           "The number of columns specified in the CHANGETABLE(VERSION ...) function does not match the number of primary key columns for table '%s'.",
                           written);
    for (int i = 0; i < f->nct_cols; i++)
        for (int j = 0; j < i; j++)
            if (ord[i] == ord[j])
                return codegen_err(g, 22112, 16,
                                   "Each primary key column must be specified once in the CHANGETABLE(VERSION ...) function. The column '%s' is specified more than once.",
                                   f->ct_cols[i]);
    if (f->nct_vals != f->nct_cols)
        return codegen_err(g, 22103, 16, "The arguments supplied are not valid for the VERSION option of the CHANGETABLE function.");
    struct scope lsc = {0};
    lsc.parent = sc->parent;
    if (codegen_add_table(g, &lsc, tm, NULL))
        return -1;
    const char *b = lsc.srcs[0].sqlalias;
    struct buf keys;
    buf_init(&keys, 0);
    for (int k = 0; k < pk->ncols; k++)
        buf_appendf(&keys, ", \"%s\".\"c%d\"", b, pk->cols[k]);
    int ncols = 2 + pk->ncols;
    struct colinfo *cols = arena_alloc(g->a, sizeof(*cols) * (size_t)ncols);
    set_col(&cols[0], "SYS_CHANGE_VERSION", (struct tl_type){TL_T_BIGINT, 0, 0, 0}, true);
    set_col(&cols[1], "SYS_CHANGE_CONTEXT", (struct tl_type){TL_T_VARBINARY, 128, 0, 0}, true);
    buf_appendf(&g->sql, "(SELECT tl_ct_version(%d, %lld, 0%s) AS \"o1\", tl_ct_version(%d, %lld, 1%s) AS \"o2\"",
                tm->dbid, (long long)tm->object_id, (char *)keys.data, tm->dbid, (long long)tm->object_id,
                (char *)keys.data);
    buf_free(&keys);
    for (int k = 0; k < pk->ncols; k++) {
        int ci = col_index(tm, pk->cols[k]);
        set_col(&cols[2 + k], tm->cols[ci].name, tm->cols[ci].type, false);
        buf_appendf(&g->sql, ", \"%s\".\"c%d\" AS \"o%d\"", b, pk->cols[k], 3 + k);
    }
    buf_appendf(&g->sql, " FROM \"d%d\".\"t%lld\" AS \"%s\" WHERE ", tm->dbid, (long long)tm->object_id, b);
    for (int i = 0; i < f->nct_cols; i++) {
        struct expr *col = arena_alloc(g->a, sizeof(*col));
        struct expr *cmp = arena_alloc(g->a, sizeof(*cmp));
        memset(col, 0, sizeof(*col));
        memset(cmp, 0, sizeof(*cmp));
        col->kind = EX_COL;
        col->s = tm->cols[ord[i]].name;
        cmp->kind = EX_CMP;
        cmp->op = CMP_EQ;
        cmp->a = col;
        cmp->b = f->ct_vals[i];
        struct tl_type t;
        if (i)
            buf_append_str(&g->sql, " AND ");
        if (codegen_expr(g, &lsc, cmp, &t, NULL))
            return -1;
    }
    buf_appendf(&g->sql, ") AS \"%s\"", alias);
    return add_src(g, sc, f, alias, cols, ncols);
}

int ct_gen_from(struct gen *g, struct scope *sc, struct from_item *f)
{
    struct engine_session *s = g->s;
    if (system_schema(f->name.schema))
        return codegen_err(g, 22107, 16,
                           "Object '%s' is of a data type that is not supported by the CHANGETABLE function. The object must be a user-defined table.",
                           f->ct_written);
    struct table_meta *tm = catalog_table(s, g->a, &f->name, &g->err);
    if (!tm || catalog_snapshot_check(s, tm->dbid, &g->err)) {
        g->failed = true;
        return -1;
    }
    struct ct_tab t;
    tab_state(s, tm->dbid, tm->object_id, &t);
    struct idx_meta *pk = pk_index(tm);
    if (!t.tracked || !pk)
        return codegen_err(g, 22105, 16, "Change tracking is not enabled on table '%s'.", f->ct_written);
    /* reading change data needs SELECT and VIEW CHANGE TRACKING (229) */
    if (sec_check_object(s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, "SELECT", &g->err) ||
        sec_check_object(s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, "VIEW CHANGE TRACKING",
                         &g->err)) {
        g->failed = true;
        return -1;
    }
    char *alias = codegen_alias(g);
    if (f->ct_version)
        return gen_version(g, sc, f, tm, pk, alias);
    char *last = NULL;
    if (last_sql(g, f, &last))
        return -1;
    int ncols = 5 + pk->ncols;
    struct colinfo *cols = arena_alloc(g->a, sizeof(*cols) * (size_t)ncols);
    if (!cols)
        return -1;
    set_col(&cols[0], "SYS_CHANGE_VERSION", (struct tl_type){TL_T_BIGINT, 0, 0, 0}, false);
    set_col(&cols[1], "SYS_CHANGE_CREATION_VERSION", (struct tl_type){TL_T_BIGINT, 0, 0, 0}, true);
    set_col(&cols[2], "SYS_CHANGE_OPERATION", (struct tl_type){TL_T_NCHAR, 1, 0, 0}, false);
    set_col(&cols[3], "SYS_CHANGE_COLUMNS", (struct tl_type){TL_T_VARBINARY, 4100, 0, 0}, true);
    set_col(&cols[4], "SYS_CHANGE_CONTEXT", (struct tl_type){TL_T_VARBINARY, 128, 0, 0}, true);
    buf_append_str(&g->sql, "(SELECT ver AS \"o1\", cver AS \"o2\", op AS \"o3\", cols AS \"o4\", ctx AS \"o5\"");
    for (int k = 0; k < pk->ncols && k < CT_MAX_KEYS; k++) {
        int ci = col_index(tm, pk->cols[k]);
        set_col(&cols[5 + k], tm->cols[ci].name, tm->cols[ci].type, false);
        buf_appendf(&g->sql, ", k%d AS \"o%d\"", k, 6 + k);
    }
    buf_appendf(&g->sql, " FROM tl_ct_changes(%d, %lld, %s)) AS \"%s\"", tm->dbid, (long long)tm->object_id, last,
                alias);
    return add_src(g, sc, f, alias, cols, ncols);
}

/* An int argument (8116 otherwise, as SQL Server's CT functions). */
static char *int_arg(struct gen *g, struct scope *sc, struct expr *e, int i, const char *fname)
{
    struct tl_type t;
    char *s = expr_sql(g, sc, e->args[i], &t);
    if (!s)
        return NULL;
    if (t.id != TL_T_INT) {
        char tn[64] = "NULL";
        if (t.id != TL_T_UNKNOWN)
            snprintf(tn, sizeof(tn), "%s", value_type_base_name(t.id));
        codegen_err(g, 8116, 16, "Argument data type %s is invalid for argument %d of %s function.", tn, i + 1, fname);
        return NULL;
    }
    return s;
}

int ct_gen_func(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    const char *n = e->s;
    struct engine_session *s = g->s;
    if (ieq(n, "CHANGE_TRACKING_CURRENT_VERSION")) {
        if (e->nargs != 0)
            return codegen_err(g, 174, 15, "The change_tracking_current_version function requires 0 argument(s).");
        if (catalog_snapshot_check(s, s->dbid, &g->err)) {
            g->failed = true;
            return -1;
        }
        *ty = (struct tl_type){TL_T_BIGINT, 0, 0, 0};
        *nl = true;
        buf_appendf(&g->sql, "tl_ct_current(%d)", s->dbid);
        return 0;
    }
    if (ieq(n, "CHANGE_TRACKING_MIN_VALID_VERSION")) {
        if (e->nargs != 1)
            return codegen_err(g, 174, 15, "The change_tracking_min_valid_version function requires 1 argument(s).");
        char *a = int_arg(g, sc, e, 0, "change_tracking_min_valid_version");
        if (!a)
            return -1;
        if (catalog_snapshot_check(s, s->dbid, &g->err)) {
            g->failed = true;
            return -1;
        }
        *ty = (struct tl_type){TL_T_BIGINT, 0, 0, 0};
        *nl = true;
        buf_appendf(&g->sql, "tl_ct_minvalid(%d, %s)", s->dbid, a);
        return 0;
    }
    if (ieq(n, "CHANGE_TRACKING_IS_COLUMN_IN_MASK")) {
        if (e->nargs != 2)
            return codegen_err(g, 174, 15, "The change_tracking_is_column_in_mask function requires 2 argument(s).");
        char *a = int_arg(g, sc, e, 0, "change_tracking_is_column_in_mask");
        if (!a)
            return -1;
        struct tl_type mt;
        char *m = expr_sql(g, sc, e->args[1], &mt);
        if (!m)
            return -1;
        if (mt.id != TL_T_UNKNOWN && !type_is_binary(mt.id))
            return codegen_err(g, 22101, 16, "The value supplied for the change_columns argument of CHANGE_TRACKING_IS_COLUMN_IN_MASK function is not valid. The value must be a bitmask returned by the CHANGETABLE(CHANGES ...) function.");
        *ty = (struct tl_type){TL_T_BIT, 0, 0, 0};
        *nl = true;
        buf_appendf(&g->sql, "tl_ct_inmask(%s, %s)", a, mt.id == TL_T_UNKNOWN ? "NULL" : m);
        return 0;
    }
    if (ieq(n, "DATABASEPROPERTYEX")) {
        if (e->nargs != 2)
            return codegen_err(g, 174, 15, "The databasepropertyex function requires 2 argument(s).");
        struct tl_type t0, t1;
        char *a0 = expr_sql(g, sc, e->args[0], &t0);
        char *a1 = a0 ? expr_sql(g, sc, e->args[1], &t1) : NULL;
        if (!a1)
            return -1;
        /* sql_variant in SQL Server: an int for the Is... properties named
         * by a literal, text otherwise */
        struct expr *p = e->args[1];
        bool is_int = (p->kind == EX_STR || p->kind == EX_NSTR) && p->s && !strncasecmp(p->s, "Is", 2);
        *ty = is_int ? (struct tl_type){TL_T_INT, 0, 0, 0} : (struct tl_type){TL_T_NVARCHAR, 128, 0, 0};
        *nl = true;
        buf_appendf(&g->sql, "tl_dbpropex(%s, %s)", a0, a1);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ batch check */

/*
 * SQL Server compiles a whole batch before running it: CHANGETABLE over a
 * table that exists but is not tracked fails the batch (22105) even in a
 * branch that never runs and inside CREATE PROCEDURE; a view or system
 * object is 22107. A table that does not exist yet is resolved when its
 * statement runs (deferred name resolution), like any other table.
 */
struct walk {
    struct engine_session *s;
    struct sqlerr *e;
    int line;
    int depth;
};

static int walk_select(struct walk *w, struct select *sel);

static int walk_expr(struct walk *w, struct expr *x)
{
    if (!x)
        return 0;
    if (walk_expr(w, x->a) || walk_expr(w, x->b) || walk_expr(w, x->c))
        return -1;
    for (int i = 0; i < x->nargs; i++)
        if (walk_expr(w, x->args[i]))
            return -1;
    for (int i = 0; i < x->nwhens; i++)
        if (walk_expr(w, x->whens[i].when) || walk_expr(w, x->whens[i].then))
            return -1;
    return walk_select(w, x->sub);
}

static int walk_from(struct walk *w, struct from_item *f)
{
    if (!f)
        return 0;
    switch (f->kind) {
    case FR_JOIN: return walk_from(w, f->l) || walk_from(w, f->r) || walk_expr(w, f->on) ? -1 : 0;
    case FR_SUB: return walk_select(w, f->sub);
    case FR_CHANGETABLE: break;
    default: return 0;
    }
    for (int i = 0; i < f->nct_vals; i++)
        if (walk_expr(w, f->ct_vals[i]))
            return -1;
    if (system_schema(f->name.schema)) {
        sqlerr_set(w->e, 22107, 16,
                   "Object '%s' is of a data type that is not supported by the CHANGETABLE function. The object must be a user-defined table.",
                   f->ct_written);
        return -1;
    }
    struct sqlerr ig = {0};
    struct table_meta *tm = catalog_table(w->s, &w->s->ba, &f->name, &ig);
    if (!tm || ct_table_tracked(w->s, tm->dbid, tm->object_id))
        return 0;
    sqlerr_set(w->e, 22105, 16, "Change tracking is not enabled on table '%s'.", f->ct_written);
    return -1;
}

static int walk_select(struct walk *w, struct select *sel)
{
    for (; sel; sel = sel->next) {
        if (walk_expr(w, sel->top) || walk_from(w, sel->from) || walk_expr(w, sel->where) ||
            walk_expr(w, sel->having) || walk_expr(w, sel->offset) || walk_expr(w, sel->fetch))
            return -1;
        for (int i = 0; i < sel->nitems; i++)
            if (walk_expr(w, sel->items[i].e))
                return -1;
        for (int i = 0; i < sel->ngroup; i++)
            if (walk_expr(w, sel->group[i]))
                return -1;
        for (int i = 0; i < sel->norder; i++)
            if (walk_expr(w, sel->order[i].e))
                return -1;
    }
    return 0;
}

static int walk_stmts(struct walk *w, struct stmt **list, int n);

static int walk_stmt(struct walk *w, struct stmt *st)
{
    if (!st)
        return 0;
    w->line = st->line;
    if (walk_select(w, st->sel) || walk_from(w, st->from) || walk_expr(w, st->where) || walk_expr(w, st->e) ||
        walk_expr(w, st->top))
        return -1;
    for (int i = 0; i < st->nset; i++)
        if (walk_expr(w, st->set_vals[i]))
            return -1;
    for (int r = 0; r < st->nrows; r++)
        for (int i = 0; i < st->rowlen[r]; i++)
            if (walk_expr(w, st->rows[r][i]))
                return -1;
    for (int i = 0; i < st->nvars; i++)
        if (walk_expr(w, st->vars[i].def))
            return -1;
    for (int i = 0; i < st->nparams; i++)
        if (walk_expr(w, st->pvals[i]))
            return -1;
    if (walk_stmt(w, st->body) || walk_stmt(w, st->else_body) || walk_stmts(w, st->list, st->nlist))
        return -1;
    if (st->kind == ST_CREATE_PROC && st->proc_body && w->depth < 4) {
        struct batch_ast ast;
        struct perr pe = {0};
        if (parser_batch(&w->s->ba, st->proc_body, strlen(st->proc_body), &ast, &pe) == 0) {
            int line = st->line;
            w->depth++;
            int rc = walk_stmts(w, ast.st, ast.n);
            w->depth--;
            if (rc) {
                w->line = line;
                return -1;
            }
        }
    }
    return 0;
}

static int walk_stmts(struct walk *w, struct stmt **list, int n)
{
    for (int i = 0; i < n; i++)
        if (walk_stmt(w, list[i]))
            return -1;
    return 0;
}

int ct_check_batch(struct engine_session *s, struct stmt **list, int n, int *line, struct sqlerr *e)
{
    struct walk w = {s, e, 0, 0};
    int rc = walk_stmts(&w, list, n);
    *line = w.line;
    return rc;
}

/* ------------------------------------------------------------ context */

int ct_context_begin(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    struct expr *x = st->ct_context;
    s->jctx_set = false;
    s->jctx = NULL;
    s->jctx_n = 0;
    if (!x)
        return 0;
    static const char bad[] =
        "The \"context\" argument for the CHANGE_TRACKING_CONTEXT WITH clause must be of type varbinary data type with a maximum length of 128.";
    if (x->kind == EX_BIN) {
        if (x->slen > 128) {
            sqlerr_set(e, 22109, 16, "%s", bad);
            e->batch_abort = true;
            return -1;
        }
        s->jctx = (const uint8_t *)x->s;
        s->jctx_n = x->slen;
        s->jctx_set = true;
        return 0;
    }
    struct var *v = exec_var(s, x->s);
    if (!v) {
        sqlerr_set(e, 137, 15, "Must declare the scalar variable \"%s\".", x->s);
        return -1;
    }
    if ((v->type.id != TL_T_VARBINARY && v->type.id != TL_T_BINARY) || v->type.length == TL_MAX ||
        v->type.length > 128) {
        sqlerr_set(e, 22109, 16, "%s", bad);
        e->batch_abort = true;
        return -1;
    }
    if (v->kind != TL_V_NULL) {
        s->jctx = arena_memdup(&s->ba, v->p ? (const void *)v->p : "", v->n ? v->n : 1);
        s->jctx_n = v->n;
        s->jctx_set = true;
    }
    return 0;
}

void ct_context_end(struct engine_session *s)
{
    s->jctx_set = false;
    s->jctx = NULL;
    s->jctx_n = 0;
}

/* ------------------------------------------------------------ cleanup */

static int64_t clock_ms(struct engine *eng)
{
    struct timespec ts;
    journal_clock_now(eng, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The engine clock minus minutes, as commit times are written. */
static void cutoff_text(struct engine *eng, int64_t minutes, char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    journal_clock_now(eng, &ts);
    ts.tv_sec -= (time_t)(minutes * 60);
    localtime_r(&ts.tv_sec, &tm);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000) % 1000);
}

/*
 * Remove the change data of database dbid older than its retention (only
 * table only_oid when nonzero), inside the caller's write transaction.
 * See the file comment for the arithmetic. Journal rows of a table CDC
 * also captures go only once CDC has captured their commit.
 */
static int cleanup_db(struct engine_session *s, int dbid, int64_t only_oid, struct sqlerr *e)
{
    struct ct_db d;
    db_state(s, dbid, &d);
    if (!d.on)
        return 0;
    static const int64_t per[] = {1, 1, 60, 1440};
    char cut[40], sql[600];
    cutoff_text(s->eng, d.retention * per[d.units >= 1 && d.units <= 3 ? d.units : 3], cut, sizeof(cut));
    char *q = sqlite3_mprintf("SELECT max(ct_version) FROM \"d%d\".tl_commits WHERE ct_version IS NOT NULL"
                              " AND end_time < %Q",
                              dbid, cut);
    bool found;
    int64_t v = q ? exec_query_int(s, q, 0, &found) : 0;
    sqlite3_free(q);
    if (!q || !found)
        return 0;
    /* tl_cdc_state exists in every file; it has its row while CDC is enabled */
    snprintf(sql, sizeof(sql), "SELECT 1 FROM \"d%d\".tl_cdc_state LIMIT 1", dbid);
    bool cdc_state;
    exec_query_int(s, sql, 0, &cdc_state);
    char captured[160] = "0";
    if (cdc_state)
        snprintf(captured, sizeof(captured),
                 "coalesce((SELECT max(captured_commit) FROM \"d%d\".tl_cdc_state), 0)", dbid);
    char only[48] = "";
    if (only_oid)
        snprintf(only, sizeof(only), " AND object_id = %lld", (long long)only_oid);
    return run_sql(
        s,
        sqlite3_mprintf(
            "DELETE FROM \"d%d\".tl_journal WHERE commit_id IN (SELECT commit_id FROM \"d%d\".tl_commits"
            " WHERE ct_version <= %lld) AND object_id IN (SELECT object_id FROM \"d%d\".tl_ct_tables"
            " WHERE cleanup_version < %lld%s)"
            " AND (object_id NOT IN (SELECT object_id FROM \"d%d\".tl_journaled WHERE cdc = 1) OR commit_id <= %s);"
            "UPDATE \"d%d\".tl_ct_tables SET cleanup_version = %lld,"
            " min_valid_version = max(min_valid_version, %lld) WHERE cleanup_version < %lld%s;"
            "DELETE FROM \"d%d\".tl_commits WHERE ct_version <= %lld AND (%d = 0 OR commit_id <= %s)"
            " AND NOT EXISTS (SELECT 1 FROM \"d%d\".tl_journal j WHERE j.commit_id = tl_commits.commit_id);",
            dbid, dbid, (long long)v, dbid, (long long)v, only, dbid, captured, dbid, (long long)v,
            (long long)v + 1, (long long)v, only, dbid, (long long)v, cdc_state ? 1 : 0, captured, dbid),
        e);
}

void ct_auto_cleanup(struct engine_session *s, int dbid)
{
    if (s->trancount > 0 || s->sq_txn || dbid <= 1)
        return;
    struct ct_db d;
    db_state(s, dbid, &d);
    if (!d.on || !d.auto_cleanup)
        return;
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT v FROM \"d%d\".tl_meta WHERE k = 'ct_last_cleanup_ms'", dbid);
    bool found;
    int64_t last = exec_query_int(s, sql, 0, &found);
    int64_t now = clock_ms(s->eng);
    if (found && now - last < CT_CLEANUP_EVERY_MS)
        return;
    /* the background thread's work, done in passing: never wait for a lock */
    struct sqlerr e = {0};
    sqlite3_busy_timeout(s->db, 0);
    snprintf(sql, sizeof(sql), "BEGIN; DELETE FROM \"d%d\".tl_lock WHERE 0", dbid);
    bool ok = sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK && cleanup_db(s, dbid, 0, &e) == 0;
    if (ok) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('ct_last_cleanup_ms', %lld)"
                 " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                 dbid, (long long)now);
        ok = sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    }
    if (!ok && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->fnerr_set = false;
    sqlite3_busy_timeout(s->db, s->lock_timeout < 0 ? 600000 : s->lock_timeout);
}

int ct_flush(struct engine_session *s, const char *table, struct sqlerr *e)
{
    int64_t oid = 0;
    if (table && *table) {
        struct name3 n;
        proc_parse_name(&s->ba, table, &n);
        struct table_meta *tm = catalog_table(s, &s->ba, &n, e);
        if (!tm)
            return -1;
        if (!ct_table_tracked(s, tm->dbid, tm->object_id)) {
            sqlerr_set(e, 22105, 16, "Change tracking is not enabled on table '%s'.", table);
            return -1;
        }
        oid = tm->object_id;
    }
    return cleanup_db(s, s->dbid, oid, e);
}
