/* Unit tests for emulator/engine/journal.c, the change journal Change
 * Tracking and CDC read: which changes are recorded (only journaled
 * tables; every INSERT/UPDATE/DELETE path and bulk loads), that rollbacks
 * of every kind, failed statements and 0-row updates leave nothing, the
 * stamping at commit (consecutive commit_ids, one tl_commits row per
 * transaction, the CT counter only for ct = 1 tables), statement
 * ordinals, row images, and the engine clock. The journal is read here
 * with plain SQLite on the session's connection, as its contract allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/eng.h"
#include "test_engine_rec.h"

/* Rows of a raw SQLite query on the session connection: "a|b\n" each. */
static const char *raw(struct fx *f, const char *sql)
{
    static char out[8192];
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    out[0] = 0;
    if (sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("raw: %s: %s", sql, sqlite3_errmsg(f->s->db));
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? "|" : "", v ? v : "NULL");
        }
        n += (size_t)snprintf(out + n, sizeof(out) - n, "\n");
    }
    sqlite3_finalize(st);
    return out;
}

static void raw_exec(struct fx *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(f->s->db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("raw_exec: %s: %s", sql, msg ? msg : "?");
}

/* Database j (id 5) with tables t (journaled with the given flags) and u
 * (not journaled). */
static void setup_tables(struct fx *f, int ct, int cdc)
{
    run(f, "CREATE DATABASE j");
    run(f, "USE j");
    run(f, "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v varchar(10) NULL, d decimal(9,2) NULL, f float NULL,"
           " b varbinary(4) NULL)");
    run(f, "CREATE TABLE u (id int NOT NULL PRIMARY KEY, v varchar(10) NULL)");
    assert_int_equal(f->r.nerrors, 0);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "INSERT INTO d5.tl_journaled(object_id, ct, cdc) SELECT object_id, %d, %d FROM d5.tl_objects"
             " WHERE name = 't' AND type = 'U'",
             ct, cdc);
    raw_exec(f, sql);
}

#define JROWS "SELECT commit_id, op, stmt FROM d5.tl_journal ORDER BY seq"

static void test_autocommit_insert_is_one_commit(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 0, 1);
    run(f, "INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, NULL)");
    run(f, "INSERT INTO u VALUES (1, 'x')");
    assert_string_equal(raw(f, JROWS), "1|2|1\n1|2|1\n1|2|1\n");
    /* a CDC-only commit does not move the CT counter */
    assert_string_equal(raw(f, "SELECT commit_id, ct_version, length(tran_id), begin_time <= end_time FROM d5.tl_commits"),
                        "1|NULL|10|1\n");
    assert_int_equal(journal_ct_counter(f->s, 5), 0);
    /* the untracked table wrote nothing */
    assert_string_equal(raw(f, "SELECT count(*) FROM d5.tl_journal j JOIN d5.tl_objects o USING(object_id) WHERE o.name = 'u'"),
                        "0\n");
}

static void test_commit_ids_and_ct_counter(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 0);
    run(f, "INSERT INTO t (id) VALUES (1)");
    run(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (2); UPDATE t SET v = 'x' WHERE id = 1; DELETE FROM t WHERE id = 2;"
           " INSERT INTO u VALUES (5, 'y'); COMMIT");
    run(f, "INSERT INTO u VALUES (6, 'z')"); /* untracked: no commit row */
    run(f, "UPDATE t SET v = v");             /* same value: still a change */
    assert_int_equal(f->r.nerrors, 0);
    assert_string_equal(raw(f, JROWS), "1|2|1\n2|2|1\n2|3|2\n2|1|3\n3|3|1\n");
    assert_string_equal(raw(f, "SELECT commit_id, ct_version FROM d5.tl_commits ORDER BY 1"), "1|1\n2|2\n3|3\n");
    assert_int_equal(journal_ct_counter(f->s, 5), 3);
    /* tran_ids differ and are never zero */
    assert_string_equal(raw(f, "SELECT count(DISTINCT tran_id), sum(tran_id = zeroblob(10)) FROM d5.tl_commits"), "3|0\n");
}

static void test_rollbacks_leave_nothing(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 0);
    run(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (1); ROLLBACK");
    assert_string_equal(raw(f, JROWS), "");
    /* savepoint: the rolled-back statement's ordinal is given back */
    run(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (1); SAVE TRAN s1; INSERT INTO t (id) VALUES (2);"
           " UPDATE t SET v = 'q'; ROLLBACK TRAN s1; UPDATE t SET v = 'w' WHERE id = 1; COMMIT");
    assert_int_equal(f->r.nerrors, 0);
    assert_string_equal(raw(f, JROWS), "1|2|1\n1|3|2\n");
    /* a failed statement inside a transaction: its rows vanish, the next
     * statement takes its ordinal */
    run(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (3); INSERT INTO t (id) VALUES (4), (1); DELETE FROM t WHERE id = 3;"
           " COMMIT");
    assert_int_equal(f->r.last_error, 2627);
    assert_string_equal(raw(f, JROWS), "1|2|1\n1|3|2\n2|2|1\n2|1|2\n");
    /* a failed autocommit statement and a 0-row update: no rows, no commit */
    run(f, "INSERT INTO t (id) VALUES (7), (1)");
    assert_int_equal(f->r.last_error, 2627);
    run(f, "UPDATE t SET v = 'none' WHERE id = 99");
    run(f, "DELETE FROM t WHERE id = 99");
    assert_string_equal(raw(f, "SELECT commit_id, ct_version FROM d5.tl_commits ORDER BY 1"), "1|1\n2|2\n");
    assert_int_equal(journal_ct_counter(f->s, 5), 2);
    /* a conversion error aborts the batch and the statement */
    run(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (8); UPDATE t SET d = 'x' WHERE id = 8");
    assert_int_equal(f->r.last_error, 8114);
    run(f, "ROLLBACK");
    /* XACT_ABORT: the whole transaction goes */
    run(f, "SET XACT_ABORT ON; BEGIN TRAN; INSERT INTO t (id) VALUES (9); INSERT INTO t (id) VALUES (1)");
    run(f, "SET XACT_ABORT OFF");
    assert_int_equal(f->s->trancount, 0);
    assert_string_equal(raw(f, "SELECT count(*) FROM d5.tl_journal WHERE commit_id IS NULL OR commit_id > 2"), "0\n");
    assert_string_equal(raw(f, "SELECT count(*) FROM d5.tl_commits"), "2\n");
}

/* Images hold every column as stored; an update lists its SET columns. */
static void test_images(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 1);
    run(f, "INSERT INTO t VALUES (1, 'abc', 12.5, 0.25, 0x0102)");
    run(f, "UPDATE t SET d = 1, v = NULL WHERE id = 1");
    run(f, "UPDATE t SET id = 2");
    run(f, "DELETE FROM t");
    assert_int_equal(f->r.nerrors, 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->s->db, "SELECT op, cols, before, after FROM d5.tl_journal ORDER BY seq", -1,
                                        &st, NULL),
                     SQLITE_OK);
    struct arena a;
    arena_init(&a, 0, 0);
    const char *want[4][2] = {
        {NULL, "1:1:1 2:3:abc 3:3:12.50 4:2:0.25 5:4:0102"},
        {"1:1:1 2:3:abc 3:3:12.50 4:2:0.25 5:4:0102", "1:1:1 2:0: 3:3:1.00 4:2:0.25 5:4:0102"},
        {"1:1:1 2:0: 3:3:1.00 4:2:0.25 5:4:0102", "1:1:2 2:0: 3:3:1.00 4:2:0.25 5:4:0102"},
        {"1:1:2 2:0: 3:3:1.00 4:2:0.25 5:4:0102", NULL},
    };
    const int wantop[4] = {2, 3, 3, 1};
    const char *wantcols[4] = {NULL, "03000000" "02000000", "01000000", NULL};
    for (int r = 0; r < 4; r++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), wantop[r]);
        char hex[64] = "";
        const uint8_t *cb = sqlite3_column_blob(st, 1);
        for (int i = 0; cb && i < sqlite3_column_bytes(st, 1) && i < 30; i++)
            snprintf(hex + 2 * i, sizeof(hex) - 2 * (size_t)i, "%02x", cb[i]);
        if (wantcols[r])
            assert_string_equal(hex, wantcols[r]);
        else
            assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
        for (int k = 0; k < 2; k++) {
            if (!want[r][k]) {
                assert_int_equal(sqlite3_column_type(st, 2 + k), SQLITE_NULL);
                continue;
            }
            struct jcol *c;
            int n;
            assert_int_equal(journal_image_decode(&a, sqlite3_column_blob(st, 2 + k),
                                                  (size_t)sqlite3_column_bytes(st, 2 + k), &c, &n),
                             0);
            char txt[256] = "";
            size_t o = 0;
            for (int i = 0; i < n; i++) {
                o += (size_t)snprintf(txt + o, sizeof(txt) - o, "%s%d:%d:", i ? " " : "", c[i].column_id, c[i].kind);
                if (c[i].kind == 1)
                    o += (size_t)snprintf(txt + o, sizeof(txt) - o, "%lld", (long long)c[i].i);
                else if (c[i].kind == 2)
                    o += (size_t)snprintf(txt + o, sizeof(txt) - o, "%g", c[i].d);
                else if (c[i].kind == 3)
                    o += (size_t)snprintf(txt + o, sizeof(txt) - o, "%.*s", (int)c[i].n, (const char *)c[i].p);
                else if (c[i].kind == 4)
                    for (size_t b = 0; b < c[i].n; b++)
                        o += (size_t)snprintf(txt + o, sizeof(txt) - o, "%02X", c[i].p[b]);
            }
            assert_string_equal(txt, want[r][k]);
        }
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    /* malformed images are refused */
    struct jcol *c;
    int n;
    const uint8_t bad[] = {1, 0, 0, 0, 3, 9, 0, 0, 0, 'x'};
    assert_int_equal(journal_image_decode(&a, bad, sizeof(bad), &c, &n), -1);
    const uint8_t badkind[] = {1, 0, 0, 0, 7};
    assert_int_equal(journal_image_decode(&a, badkind, sizeof(badkind), &c, &n), -1);
    arena_free(&a);
}

/* A rowversion column is listed among an update's columns: every UPDATE
 * gives it a new value. */
static void test_rowversion_in_cols(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 0);
    run(f, "CREATE TABLE r (id int NOT NULL PRIMARY KEY, v int NULL, rv rowversion)");
    raw_exec(f, "INSERT INTO d5.tl_journaled(object_id, ct) SELECT object_id, 1 FROM d5.tl_objects WHERE name = 'r'");
    run(f, "INSERT INTO r (id, v) VALUES (1, 1); UPDATE r SET v = 2");
    assert_int_equal(f->r.nerrors, 0);
    assert_string_equal(raw(f, "SELECT op, hex(cols) FROM d5.tl_journal ORDER BY seq"), "2|\n3|0200000003000000\n");
}

/* Bulk paths (tdslite.generate uses the same writer as INSERT BULK) journal
 * every row of a journaled table and nothing for others. */
static void test_generate(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 0);
    run(f, "EXEC tdslite.generate N'dbo.t', 50, 7");
    run(f, "EXEC tdslite.generate N'dbo.u', 50, 7");
    assert_int_equal(f->r.nerrors, 0);
    assert_string_equal(raw(f, "SELECT count(*), min(commit_id), max(commit_id), min(op), max(stmt) FROM d5.tl_journal"),
                        "50|1|1|2|1\n");
    assert_string_equal(raw(f, "SELECT count(*) FROM d5.tl_commits"), "1\n");
}

/* Journal rows land in the database of the changed table, even when the
 * statement runs in another database context. */
static void test_cross_database(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 0, 1);
    run(f, "USE master");
    run(f, "BEGIN TRAN; INSERT INTO j.dbo.t (id) VALUES (1); INSERT INTO j.dbo.t (id) VALUES (2); COMMIT");
    assert_int_equal(f->r.nerrors, 0);
    assert_string_equal(raw(f, JROWS), "1|2|1\n1|2|2\n");
    assert_string_equal(raw(f, "SELECT count(*) FROM d1.tl_commits"), "0\n");
}

/* The engine clock moves GETDATE() and commit times forward. */
static void test_advance_clock(void **state)
{
    struct fx *f = *state;
    setup_tables(f, 1, 0);
    EXPECT(f, "SELECT CASE WHEN DATEDIFF(minute, GETDATE(), SYSDATETIME()) BETWEEN -1 AND 1 THEN 1 ELSE 0 END AS same",
           "cols:same int\nrow:1\ndone:C1\n");
    run(f, "DECLARE @before datetime2 = SYSDATETIME(); EXEC tdslite.advance_clock @minutes = 90;"
           " SELECT DATEDIFF(minute, @before, SYSDATETIME()) AS moved");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT_IN((const char *)f->r.log.data, "row:90\n");
    run(f, "INSERT INTO t (id) VALUES (1)");
    /* the commit's end_time is on the moved clock: about 90 minutes ahead of real time */
    assert_string_equal(raw(f, "SELECT CAST(round((julianday(end_time) - julianday('now', 'localtime')) * 1440) AS int)"
                               " FROM d5.tl_commits"),
                        "90\n");
    run(f, "EXEC tdslite.advance_clock -5");
    assert_int_equal(f->r.last_error, 50000);
    run(f, "EXEC tdslite.advance_clock");
    assert_int_equal(f->r.last_error, 201);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_autocommit_insert_is_one_commit, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_commit_ids_and_ct_counter, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_rollbacks_leave_nothing, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_images, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_rowversion_in_cols, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_generate, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_cross_database, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_advance_clock, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
