/*
 * journal: tdslite's change journal, the one record of row changes that
 * Change Tracking (ct.c) and CDC read (contract: eng.h, section "journal").
 *
 * Owns the tables tl_journaled, tl_journal and tl_commits of every database
 * file, the recording of row images from dml.c (INSERT/UPDATE/DELETE, bulk
 * load, tdslite.generate all pass through there), the stamping of a
 * transaction's rows at its commit, and the engine clock.
 *
 * Invariants:
 *   - A journal row is written in the same SQLite transaction as the row
 *     change it describes, so every rollback (statement, savepoint,
 *     transaction) removes it with the change; nothing here undoes anything.
 *   - Rows with commit_id IS NULL belong to the transaction holding the
 *     database's write lock: only that one can have written them.
 *   - journal_commit runs right before SQLite's COMMIT of the outermost
 *     transaction (or of an autocommit statement): one tl_commits row per
 *     database that has unstamped rows, commit_ids 1, 2, 3 ... in commit
 *     order; the CT counter (tl_meta 'ct_version') moves here and nowhere
 *     else, once per commit that touched a table with ct = 1.
 *   - Tables without a tl_journaled row pay one indexed lookup per
 *     statement and nothing per row.
 *
 * Statement ordinals: txn_stmt_begin bumps s->stmt_serial for every
 * statement; the first journal row of a statement takes the transaction's
 * next ordinal. A statement or savepoint rollback gives its ordinals back
 * (txn.c restores s->jstmt), so the committed ordinals are 1, 2, 3 ...
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "eng.h"

#define JOURNAL_TABLES_SQL                                                                         \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_journaled(object_id INTEGER PRIMARY KEY,"                  \
    " ct INTEGER NOT NULL DEFAULT 0, cdc INTEGER NOT NULL DEFAULT 0);"                             \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_journal(seq INTEGER PRIMARY KEY, commit_id INTEGER,"       \
    " object_id INTEGER NOT NULL, op INTEGER NOT NULL, stmt INTEGER NOT NULL, cols BLOB,"          \
    " context BLOB, before BLOB, after BLOB);"                                                     \
    "CREATE INDEX IF NOT EXISTS %1$s.tl_journal_commit ON tl_journal(commit_id);"                  \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_commits(commit_id INTEGER PRIMARY KEY, ct_version INTEGER," \
    " begin_time TEXT NOT NULL, end_time TEXT NOT NULL, tran_id BLOB NOT NULL);"

int journal_init_file(sqlite3 *db, const char *alias, struct sqlerr *e)
{
    if (catalog_init_tables(db, alias, JOURNAL_TABLES_SQL, "the change journal", e))
        return -1;
    return ct_init_file(db, alias, e);
}

/* ------------------------------------------------------------ clock */

void journal_clock_now(struct engine *eng, struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
    int64_t off = atomic_load(&eng->clock_offset_ms);
    int64_t ns = (int64_t)ts->tv_nsec + (off % 1000) * 1000000;
    ts->tv_sec += (time_t)(off / 1000);
    while (ns < 0) {
        ns += 1000000000;
        ts->tv_sec--;
    }
    while (ns >= 1000000000) {
        ns -= 1000000000;
        ts->tv_sec++;
    }
    ts->tv_nsec = (long)ns;
}

void journal_clock_text(struct engine *eng, char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    journal_clock_now(eng, &ts);
    localtime_r(&ts.tv_sec, &tm);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000) % 1000);
}

int journal_clock_advance(struct engine *eng, int64_t minutes, struct sqlerr *e)
{
    if (minutes < 0 || minutes > 100LL * 366 * 24 * 60) {
        sqlerr_set(e, 50000, 16,
                   "tdslite.advance_clock: @minutes must be between 0 and 52704000 (the clock only moves forward).");
        return -1;
    }
    atomic_fetch_add(&eng->clock_offset_ms, minutes * 60 * 1000);
    return 0;
}

/* ------------------------------------------------------------ images */

static void put_u32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_append(b, x, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    buf_append(b, x, 8);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void journal_image_encode(struct buf *b, sqlite3_stmt *st, int first, const struct table_meta *tm)
{
    buf_reset(b);
    for (int i = 0; i < tm->ncols; i++) {
        int c = first + i;
        put_u32(b, (uint32_t)tm->cols[i].id);
        switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER:
            buf_append_byte(b, 1);
            put_u64(b, (uint64_t)sqlite3_column_int64(st, c));
            break;
        case SQLITE_FLOAT: {
            double d = sqlite3_column_double(st, c);
            uint64_t u;
            memcpy(&u, &d, 8);
            buf_append_byte(b, 2);
            put_u64(b, u);
            break;
        }
        case SQLITE_TEXT: {
            const unsigned char *t = sqlite3_column_text(st, c);
            int n = sqlite3_column_bytes(st, c);
            buf_append_byte(b, 3);
            put_u32(b, (uint32_t)n);
            buf_append(b, t, (size_t)n);
            break;
        }
        case SQLITE_BLOB: {
            const void *p = sqlite3_column_blob(st, c);
            int n = sqlite3_column_bytes(st, c);
            buf_append_byte(b, 4);
            put_u32(b, (uint32_t)n);
            if (n)
                buf_append(b, p, (size_t)n);
            break;
        }
        default:
            buf_append_byte(b, 0);
            break;
        }
    }
}

int journal_image_decode(struct arena *a, const uint8_t *p, size_t n, struct jcol **cols, int *ncols)
{
    int cap = 0;
    size_t off = 0;
    /* count first so the array is allocated once */
    while (off < n) {
        if (n - off < 5)
            return -1;
        int kind = p[off + 4];
        off += 5;
        if (kind == 1 || kind == 2) {
            if (n - off < 8)
                return -1;
            off += 8;
        } else if (kind == 3 || kind == 4) {
            if (n - off < 4 || n - off - 4 < get_u32(p + off))
                return -1;
            off += 4 + get_u32(p + off);
        } else if (kind != 0) {
            return -1;
        }
        cap++;
    }
    struct jcol *c = arena_alloc(a, sizeof(*c) * (size_t)(cap ? cap : 1));
    if (!c)
        return -1;
    off = 0;
    for (int i = 0; i < cap; i++) {
        memset(&c[i], 0, sizeof(c[i]));
        c[i].column_id = (int)get_u32(p + off);
        c[i].kind = p[off + 4];
        off += 5;
        if (c[i].kind == 1) {
            c[i].i = (int64_t)get_u64(p + off);
            off += 8;
        } else if (c[i].kind == 2) {
            uint64_t u = get_u64(p + off);
            memcpy(&c[i].d, &u, 8);
            off += 8;
        } else if (c[i].kind == 3 || c[i].kind == 4) {
            c[i].n = get_u32(p + off);
            c[i].p = p + off + 4;
            off += 4 + c[i].n;
        }
    }
    *cols = c;
    *ncols = cap;
    return 0;
}

/* ------------------------------------------------------------ recording */

struct journal_rec {
    struct engine_session *s;
    int dbid;
    int64_t object_id;
    sqlite3_stmt *ins;
};

int journal_flags(struct engine_session *s, int dbid, int64_t object_id)
{
    sqlite3_stmt *st = NULL;
    int flags = 0;
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT ct, cdc FROM \"d%d\".tl_journaled WHERE object_id = ?", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, object_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            flags = (sqlite3_column_int(st, 0) ? JOURNAL_CT : 0) | (sqlite3_column_int(st, 1) ? JOURNAL_CDC : 0);
    }
    sqlite3_finalize(st);
    return flags;
}

int journal_open(struct engine_session *s, const struct table_meta *tm, struct journal_rec **out,
                 struct sqlerr *e)
{
    *out = NULL;
    if (!journal_flags(s, tm->dbid, tm->object_id))
        return 0;
    struct journal_rec *j = sl_calloc(1, sizeof(*j));
    if (!j) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    j->s = s;
    j->dbid = tm->dbid;
    j->object_id = tm->object_id;
    char sql[200];
    snprintf(sql, sizeof(sql),
             "INSERT INTO \"d%d\".tl_journal(commit_id, object_id, op, stmt, cols, context, before, after)"
             " VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
             tm->dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &j->ins, NULL) != SQLITE_OK) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        journal_close(j);
        return -1;
    }
    *out = j;
    return 0;
}

/* Remember that database dbid has unstamped rows in this transaction. */
static void note_db(struct engine_session *s, int dbid)
{
    for (int i = 0; i < s->njdbs; i++)
        if (s->jdbs[i] == dbid)
            return;
    if (s->njdbs < (int)(sizeof(s->jdbs) / sizeof(s->jdbs[0])))
        s->jdbs[s->njdbs++] = dbid;
}

int journal_row(struct journal_rec *j, int op, const int *cols, int ncols, const struct buf *before,
                const struct buf *after, struct sqlerr *e)
{
    struct engine_session *s = j->s;
    if (s->jstmt_serial != s->stmt_serial) {
        s->jstmt_serial = s->stmt_serial;
        s->jstmt++;
    }
    if (!s->jbegin[0])
        journal_clock_text(s->eng, s->jbegin, sizeof(s->jbegin));
    note_db(s, j->dbid);
    sqlite3_stmt *st = j->ins;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, j->object_id);
    sqlite3_bind_int(st, 2, op);
    sqlite3_bind_int(st, 3, s->jstmt);
    struct buf cb;
    buf_init(&cb, 0);
    if (op == JOURNAL_UPDATE) {
        for (int i = 0; i < ncols; i++)
            put_u32(&cb, (uint32_t)cols[i]);
        sqlite3_bind_blob(st, 4, cb.data ? (const void *)cb.data : "", (int)cb.len, SQLITE_STATIC);
    }
    if (s->jctx_set)
        sqlite3_bind_blob(st, 5, s->jctx ? (const void *)s->jctx : "", (int)s->jctx_n, SQLITE_STATIC);
    if (before && op != JOURNAL_INSERT)
        sqlite3_bind_blob(st, 6, before->data ? (const void *)before->data : "", (int)before->len, SQLITE_STATIC);
    if (after && op != JOURNAL_DELETE)
        sqlite3_bind_blob(st, 7, after->data ? (const void *)after->data : "", (int)after->len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    buf_free(&cb);
    if (rc != SQLITE_DONE) {
        exec_sqlite_err(s, rc, e);
        return -1;
    }
    return 0;
}

void journal_close(struct journal_rec *j)
{
    if (!j)
        return;
    sqlite3_finalize(j->ins);
    sl_free(j);
}

/* ------------------------------------------------------------ commit */

/* One integer from a query, or def when it returns no row / NULL. */
static int64_t query_int(struct engine_session *s, const char *sql, int64_t def, int *err)
{
    sqlite3_stmt *st = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = 1;
        return def;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        *err = 1;
    sqlite3_finalize(st);
    return v;
}

int64_t journal_ct_counter(struct engine_session *s, int dbid)
{
    char sql[96];
    int err = 0;
    snprintf(sql, sizeof(sql), "SELECT v FROM \"d%d\".tl_meta WHERE k = 'ct_version'", dbid);
    return query_int(s, sql, 0, &err);
}

/* Stamp database dbid's unstamped rows; 0 or -1 with e. */
static int commit_db(struct engine_session *s, int dbid, const char *end, struct sqlerr *e)
{
    char sql[400];
    int err = 0;
    snprintf(sql, sizeof(sql), "SELECT 1 FROM \"d%d\".tl_journal WHERE commit_id IS NULL LIMIT 1", dbid);
    if (!query_int(s, sql, 0, &err))
        return err ? (exec_sqlite_err(s, sqlite3_errcode(s->db), e), -1) : 0;
    /* the last commit_id is kept in tl_meta too: cleanup may delete the
     * newest tl_commits rows, and a commit_id is never given out twice */
    snprintf(sql, sizeof(sql),
             "SELECT max(coalesce((SELECT max(commit_id) FROM \"d%d\".tl_commits), 0),"
             " coalesce((SELECT v FROM \"d%d\".tl_meta WHERE k = 'last_commit_id'), 0))",
             dbid, dbid);
    int64_t cid = query_int(s, sql, 0, &err) + 1;
    snprintf(sql, sizeof(sql),
             "SELECT 1 FROM \"d%d\".tl_journal j JOIN \"d%d\".tl_journaled o ON o.object_id = j.object_id"
             " WHERE j.commit_id IS NULL AND o.ct = 1 LIMIT 1",
             dbid, dbid);
    bool ct = query_int(s, sql, 0, &err) != 0;
    int64_t ver = 0;
    if (ct)
        ver = journal_ct_counter(s, dbid) + 1;
    if (err) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    /* tran_id: 10 bytes, the commit_id big-endian behind two zero bytes:
     * unique per transaction in the database and never all zeros */
    char vtext[24] = "NULL";
    if (ct)
        snprintf(vtext, sizeof(vtext), "%lld", (long long)ver);
    uint8_t tid[10] = {0};
    for (int i = 0; i < 8; i++)
        tid[9 - i] = (uint8_t)((uint64_t)cid >> (8 * i));
    char *q = sqlite3_mprintf(
        "UPDATE \"d%d\".tl_journal SET commit_id = %lld WHERE commit_id IS NULL;"
        "INSERT INTO \"d%d\".tl_commits(commit_id, ct_version, begin_time, end_time, tran_id)"
        " VALUES (%lld, %s, %Q, %Q, x'%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x');",
        dbid, (long long)cid, dbid, (long long)cid, vtext,
        s->jbegin[0] ? s->jbegin : end, end, tid[0], tid[1], tid[2], tid[3], tid[4], tid[5], tid[6], tid[7],
        tid[8], tid[9]);
    int rc = q ? exec_sql(s, q, e) : -1;
    sqlite3_free(q);
    if (rc == 0) {
        q = sqlite3_mprintf("INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('last_commit_id', %lld)"
                            " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                            dbid, (long long)cid);
        rc = q ? exec_sql(s, q, e) : -1;
        sqlite3_free(q);
    }
    if (rc == 0 && ct) {
        q = sqlite3_mprintf("INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('ct_version', %lld)"
                            " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                            dbid, (long long)ver);
        rc = q ? exec_sql(s, q, e) : -1;
        sqlite3_free(q);
    }
    if (rc && !e->number)
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
    return rc;
}

int journal_commit(struct engine_session *s, struct sqlerr *e)
{
    if (!s->njdbs)
        return 0;
    char end[32];
    journal_clock_text(s->eng, end, sizeof(end));
    for (int i = 0; i < s->njdbs; i++)
        if (commit_db(s, s->jdbs[i], end, e))
            return -1;
    return 0;
}

void journal_txn_end(struct engine_session *s)
{
    s->njdbs = 0;
    s->jstmt = 0;
    s->jstmt_serial = 0;
    s->jbegin[0] = 0;
}
