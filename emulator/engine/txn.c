/*
 * txn: maps SQL Server transactions onto SQLite transactions of a session.
 *
 * State:
 *
 *   trancount == 0, !sq_txn ──write stmt──▶ BEGIN; lock db; stmt; COMMIT/ROLLBACK
 *   BEGIN TRAN (txn_begin) ──▶ trancount 1, descriptor d, no SQLite txn yet
 *      read stmt, READ COMMITTED ──▶ runs in SQLite autocommit (sees commits)
 *      read stmt, SNAPSHOT/RR/SER ──▶ BEGIN (a read snapshot held to commit)
 *      write stmt ──▶ BEGIN (if needed) + write lock of the target database
 *   COMMIT TRAN (txn_commit, outermost) ──▶ COMMIT; ROLLBACK TRAN ──▶ ROLLBACK
 *
 * The write lock is taken by a no-op write ("DELETE FROM tl_lock WHERE 0")
 * *before* the statement reads anything from that file, so SQLite's busy
 * handler waits for other writers (SQL Server-like blocking) instead of
 * failing with SQLITE_BUSY_SNAPSHOT. Each statement inside a transaction
 * runs under SAVEPOINT tl_stmt so a failing statement is rolled back alone.
 * Every COMMIT of a SQLite transaction goes through sq_commit, which first
 * stamps the transaction's change journal rows (journal_commit).
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "eng.h"

static int sq(struct engine_session *s, const char *sql, struct sqlerr *e)
{
    return exec_sql(s, sql, e);
}

static int sq_begin(struct engine_session *s, struct sqlerr *e)
{
    if (s->sq_txn)
        return 0;
    if (sq(s, "BEGIN", e))
        return -1;
    s->sq_txn = true;
    s->nlocked = 0;
    return 0;
}

/* COMMIT the SQLite transaction, stamping its change journal rows first
 * (journal.c). On failure everything is rolled back. 0 or -1 with e. */
static int sq_commit(struct engine_session *s, struct sqlerr *e)
{
    int rc = journal_commit(s, e);
    if (rc == 0)
        rc = sq(s, "COMMIT", e);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->sq_txn = false;
    s->nlocked = 0;
    journal_txn_end(s);
    return rc;
}

static void sq_end(struct engine_session *s, bool commit)
{
    struct sqlerr e = {0};
    if (!s->sq_txn)
        return;
    if (commit) {
        sq_commit(s, &e);
    } else {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->sq_txn = false;
        s->nlocked = 0;
        journal_txn_end(s);
    }
    for (int i = 0; i < s->nsavepoints; i++)
        sl_free(s->savepoints[i]);
    s->nsavepoints = 0;
}

int txn_lock(struct engine_session *s, int dbid, struct sqlerr *e)
{
    for (int i = 0; i < s->nlocked; i++)
        if (s->locked[i] == dbid)
            return 0;
    if (sq_begin(s, e))
        return -1;
    char sql[64];
    snprintf(sql, sizeof(sql), "DELETE FROM \"d%d\".tl_lock WHERE 0", dbid);
    if (sq(s, sql, e))
        return -1;
    if (s->nlocked < 64)
        s->locked[s->nlocked++] = dbid;
    return 0;
}

int txn_prepare(struct engine_session *s, bool write, struct sqlerr *e)
{
    if (write)
        return txn_lock(s, s->dbid, e);
    if (s->trancount > 0 && !s->sq_txn && s->isolation >= 3)
        return sq_begin(s, e);
    return 0;
}

int txn_finish(struct engine_session *s, bool ok, struct sqlerr *e)
{
    (void)e;
    if (s->trancount == 0 && s->sq_txn) {
        if (ok) {
            if (sq_commit(s, e))
                return -1;
        } else {
            sq_end(s, false);
        }
    }
    return 0;
}

int txn_stmt_begin(struct engine_session *s, struct sqlerr *e)
{
    /* a new statement: its first journal row takes the next ordinal, and
     * its rollback gives the ordinal back */
    s->stmt_serial++;
    s->jstmt_stmt = s->jstmt;
    if (!s->sq_txn)
        return 0;
    return sq(s, "SAVEPOINT tl_stmt", e);
}

void txn_stmt_end(struct engine_session *s, bool ok)
{
    if (!s->sq_txn)
        return;
    if (!ok) {
        sqlite3_exec(s->db, "ROLLBACK TO tl_stmt", NULL, NULL, NULL);
        s->jstmt = s->jstmt_stmt;
        s->jstmt_serial = 0;
    }
    sqlite3_exec(s->db, "RELEASE tl_stmt", NULL, NULL, NULL);
}

int txn_stmt_finish(struct engine_session *s, int r, struct sqlerr *e)
{
    struct sqlerr e2 = {0};
    txn_stmt_end(s, r == 0);
    if (r == 0 && txn_finish(s, true, &e2)) {
        *e = e2;
        return -1;
    }
    if (r)
        txn_finish(s, false, &e2); /* a rollback keeps the statement's error */
    return r;
}

int txn_begin(struct engine_session *s, struct sqlerr *e)
{
    if (s->trancount >= 32767) {
        sqlerr_set(e, 50000, 16, "tdslite: too many nested transactions.");
        return -1;
    }
    if (s->trancount == 0) {
        s->tran_desc = (uint64_t)atomic_fetch_add(&s->eng->next_desc, 1) + 1;
        if (s->sq_txn) /* a leftover autocommit transaction cannot exist here */
            sq_end(s, true);
    }
    s->trancount++;
    return 0;
}

int txn_commit(struct engine_session *s, struct sqlerr *e)
{
    if (s->trancount > 1) {
        s->trancount--;
        return 0;
    }
    if (s->sq_txn) {
        int rc = sq_commit(s, e);
        for (int i = 0; i < s->nsavepoints; i++)
            sl_free(s->savepoints[i]);
        s->nsavepoints = 0;
        if (rc) {
            s->trancount = 0;
            s->tran_desc = 0;
            applock_release_owner(s, false);
            return -1;
        }
    }
    s->trancount = 0;
    s->tran_desc = 0;
    applock_release_owner(s, false);
    return 0;
}

int txn_rollback(struct engine_session *s, const char *savepoint, struct sqlerr *e)
{
    if (savepoint) {
        int k = -1;
        for (int i = s->nsavepoints - 1; i >= 0; i--)
            if (ieq(s->savepoints[i], savepoint)) {
                k = i;
                break;
            }
        if (k >= 0) {
            char sql[300];
            snprintf(sql, sizeof(sql), "ROLLBACK TO \"u_%.250s\"", savepoint);
            if (sq(s, sql, e))
                return -1;
            for (int i = k + 1; i < s->nsavepoints; i++)
                sl_free(s->savepoints[i]);
            s->nsavepoints = k + 1;
            s->jstmt = s->sp_jstmt[k];
            s->jstmt_serial = 0;
            return 0;
        }
        if (s->trancount > 0 && savepoint[0] != '@') {
            /* the name of the outermost transaction rolls everything back;
             * any other unknown name is 6401 */
        }
    }
    sq_end(s, false);
    s->trancount = 0;
    s->tran_desc = 0;
    applock_release_owner(s, false);
    return 0;
}

int txn_save(struct engine_session *s, const char *name, struct sqlerr *e)
{
    if (s->trancount == 0) {
        sqlerr_set(e, 628, 16, "Cannot issue SAVE TRANSACTION when there is no active transaction.");
        return -1;
    }
    if (sq_begin(s, e))
        return -1;
    char sql[300];
    snprintf(sql, sizeof(sql), "SAVEPOINT \"u_%.250s\"", name);
    if (sq(s, sql, e))
        return -1;
    if (s->nsavepoints < 32) {
        s->sp_jstmt[s->nsavepoints] = s->jstmt;
        s->savepoints[s->nsavepoints++] = sl_strdup(name);
    }
    return 0;
}

void txn_abort_all(struct engine_session *s)
{
    uint64_t d = s->tran_desc;
    bool had = s->trancount > 0;
    sq_end(s, false);
    s->trancount = 0;
    s->tran_desc = 0;
    applock_release_owner(s, false);
    if (had && s->out && !s->closed)
        txn_announce(s, ENGINE_ENV_ROLLBACK_TRAN, d);
}

void txn_announce(struct engine_session *s, enum engine_env_type type, uint64_t descriptor)
{
    struct engine_env env = {type, NULL, NULL, descriptor};
    if (s->out->envchange(s->ctx, &env))
        s->closed = true;
}
