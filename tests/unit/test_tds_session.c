/*
 * End-to-end tests of emulator/tds session.c over a socketpair, against a
 * throwaway fake engine defined here (never linked into tdslite). The same
 * program run as `test_tds_session --serve PORT` is a tiny TDS server on
 * that fake engine, for trying real clients (tsql, pymssql, tedious) while
 * the real engine is not there.
 *
 * Fake engine: login sa/pw; batches are matched by prefix:
 *   "select types"  one row with one column of most types
 *   "select big N"  N rows (int, nvarchar) checking cancelled()
 *   "select notnull" NOT NULL int + nvarchar(4): row (7, 'ab'), then a row
 *                   with a NULL id (an engine nullability bug)
 *   "error"         Msg 208 and DONE(ERROR)
 *   "begin tran" / "commit" / "rollback"  ENVCHANGE 8/9/10
 *   anything else   DONE(0)
 * RPCs echo their non-statement parameters as one row and return OUTPUT
 * parameters; bulk loads count rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "engine.h"
#include "server.h"
#include "session.h"

/* ---- fake engine ---- */

struct engine {
    struct tl_faults faults;
};
struct engine_session {
    uint64_t tran;
    char db[64];
};
struct engine_bulk {
    const struct engine_out *out;
    void *ctx;
    uint64_t rows;
};

int engine_open(const struct engine_config *cfg, struct engine **out, struct sl_err *err)
{
    (void)cfg;
    (void)err;
    *out = calloc(1, sizeof(**out));
    return 0;
}
void engine_close(struct engine *e) { free(e); }
struct tl_faults *engine_faults(struct engine *e) { return &e->faults; }
const char *engine_version_string(void) { return "fake"; }

static int msg(const struct engine_out *out, void *ctx, int32_t n, uint8_t sev, const char *text)
{
    struct engine_msg m = {.number = n, .state = 1, .severity = sev, .line = 1, .text = text, .proc = ""};
    return out->message(ctx, &m, sev > 10);
}

int engine_login(struct engine *e, const char *user, const char *password, const char *database,
                 uint16_t spid, const struct engine_out *out, void *ctx,
                 struct engine_session **sessp)
{
    struct engine_session *s;
    (void)e;
    (void)spid;
    if (!strcmp(database, "nodb")) {
        msg(out, ctx, 4060, 11, "Cannot open database \"nodb\" requested by the login. The login failed.");
        msg(out, ctx, 18456, 14, "Login failed for user 'sa'.");
        return SL_EAUTH;
    }
    if (strcmp(user, "sa") || strcmp(password, "pw")) {
        msg(out, ctx, 18456, 14, "Login failed for user.");
        return SL_EAUTH;
    }
    s = calloc(1, sizeof(*s));
    snprintf(s->db, sizeof(s->db), "%s", *database ? database : "master");
    *sessp = s;
    return 0;
}
void engine_session_close(struct engine_session *s) { free(s); }
int engine_session_reset(struct engine_session *s, bool keep_tran)
{
    if (!keep_tran)
        s->tran = 0;
    return 0;
}
const char *engine_session_database(const struct engine_session *s) { return s->db; }
uint64_t engine_session_transaction(const struct engine_session *s) { return s->tran; }

#define TXT(s) {.kind = TL_V_TEXT, .p = (const uint8_t *)(s), .n = sizeof(s) - 1}

static int select_types(const struct engine_out *out, void *ctx, int only)
{
    static const struct engine_column cols[] = {
        {"i", {TL_T_INT, 0, 0, 0}, 1},
        {"bi", {TL_T_BIGINT, 0, 0, 0}, 1},
        {"dec", {TL_T_DECIMAL, 0, 10, 2}, 1},
        {"m", {TL_T_MONEY, 0, 0, 0}, 1},
        {"dt", {TL_T_DATETIME, 0, 0, 0}, 1},
        {"d", {TL_T_DATE, 0, 0, 0}, 1},
        {"t", {TL_T_TIME, 0, 0, 7}, 1},
        {"dt2", {TL_T_DATETIME2, 0, 0, 3}, 1},
        {"dto", {TL_T_DATETIMEOFFSET, 0, 0, 7}, 1},
        {"g", {TL_T_UNIQUEIDENTIFIER, 0, 0, 0}, 1},
        {"vc", {TL_T_VARCHAR, 20, 0, 0}, 1},
        {"nv", {TL_T_NVARCHAR, 20, 0, 0}, 1},
        {"vb", {TL_T_VARBINARY, 10, 0, 0}, 1},
        {"nvmax", {TL_T_NVARCHAR, TL_MAX, 0, 0}, 1},
        {"b", {TL_T_BIT, 0, 0, 0}, 1},
        {"f", {TL_T_FLOAT, 0, 53, 0}, 1},
        {"n", {TL_T_INT, 0, 0, 0}, 1},
        {"dec_from_int", {TL_T_DECIMAL, 0, 18, 4}, 1},
        {"dt2_7", {TL_T_DATETIME2, 0, 0, 7}, 1},
        {"dt2_3b", {TL_T_DATETIME2, 0, 0, 3}, 1},
        {"dt2_0", {TL_T_DATETIME2, 0, 0, 0}, 1},
    };
    struct tl_value v[] = {
        {.kind = TL_V_INT, .i = 42},
        {.kind = TL_V_INT, .i = -9000000000LL},
        TXT("-123.45"),
        TXT("1.2345"),
        TXT("2000-01-01 12:34:56.123"),
        TXT("2000-01-01"),
        TXT("12:34:56.1234567"),
        TXT("2024-02-29 23:59:59.999"),
        TXT("2025-03-01 10:00:00.0000000 +02:00"),
        TXT("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
        TXT("caf\xC3\xA9"),
        TXT("\xE2\x82\xAC \xE4\xB8\xAD"),
        {.kind = TL_V_BLOB, .p = (const uint8_t *)"\x01\x02\xFF", .n = 3},
        TXT("long text"),
        {.kind = TL_V_INT, .i = 1},
        {.kind = TL_V_REAL, .r = 3.5},
        {.kind = TL_V_NULL},
        {.kind = TL_V_INT, .i = 7},
        TXT("2024-02-29 23:59:59.9990000"),
        TXT("2024-02-29 10:00:00.500"),
        TXT("2024-02-29 10:00:00"),
    };
    size_t n = sizeof(cols) / sizeof(cols[0]);
    if (only >= 0 && (size_t)only < n) {
        if (out->columns(ctx, cols + only, 1) || out->row(ctx, v + only, 1))
            return SL_ECLOSED;
        return out->done(ctx, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, 1) ? SL_ECLOSED : 0;
    }
    if (out->columns(ctx, cols, n) || out->row(ctx, v, n))
        return SL_ECLOSED;
    return out->done(ctx, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, 1) ? SL_ECLOSED : 0;
}

static int select_big(long rows, const struct engine_out *out, void *ctx)
{
    static const struct engine_column cols[] = {{"id", {TL_T_INT, 0, 0, 0}, 1},
                                                {"txt", {TL_T_NVARCHAR, 100, 0, 0}, 1}};
    if (out->columns(ctx, cols, 2))
        return SL_ECLOSED;
    for (long i = 0; i < rows; i++) {
        struct tl_value v[2] = {{.kind = TL_V_INT, .i = i}, TXT("some row text to fill packets")};
        if (i % 100 == 0 && out->cancelled(ctx))
            return SL_ECANCELLED;
        if (out->row(ctx, v, 2))
            return SL_ECLOSED;
    }
    return out->done(ctx, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, (uint64_t)rows) ? SL_ECLOSED : 0;
}

/* A NOT NULL result whose second row breaks the promise. */
static int select_notnull(const struct engine_out *out, void *ctx)
{
    static const struct engine_column cols[] = {{"id", {TL_T_INT, 0, 0, 0}, 0},
                                                {"s", {TL_T_NVARCHAR, 4, 0, 0}, 0}};
    struct tl_value good[2] = {{.kind = TL_V_INT, .i = 7}, TXT("ab")};
    struct tl_value bad[2] = {{.kind = TL_V_NULL}, TXT("cd")};
    if (out->columns(ctx, cols, 2) || out->row(ctx, good, 2) || out->row(ctx, bad, 2) ||
        out->row(ctx, good, 2))
        return SL_ECLOSED;
    return out->done(ctx, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, 3) ? SL_ECLOSED : 0;
}

int engine_batch(struct engine_session *s, const char *sql, size_t len,
                 const struct engine_out *out, void *ctx)
{
    struct engine_env env = {0};
    (void)len;
    while (*sql == ' ' || *sql == '\n')
        sql++;
    if (!strncasecmp(sql, "select types", 12))
        return select_types(out, ctx, -1);
    if (!strncasecmp(sql, "select type ", 12))
        return select_types(out, ctx, (int)strtol(sql + 12, NULL, 10));
    if (!strncasecmp(sql, "select big ", 11))
        return select_big(strtol(sql + 11, NULL, 10), out, ctx);
    if (!strncasecmp(sql, "select notnull", 14))
        return select_notnull(out, ctx);
    if (!strncasecmp(sql, "error", 5)) {
        msg(out, ctx, 208, 16, "Invalid object name 'nope'.");
        return out->done(ctx, ENGINE_DONE_ERROR, ENGINE_CMD_SELECT, 0) ? SL_ECLOSED : 0;
    }
    if (!strncasecmp(sql, "begin tran", 10) || strstr(sql, "BEGIN TRANSACTION")) {
        s->tran = 77;
        env.type = ENGINE_ENV_BEGIN_TRAN;
        env.descriptor = 77;
        if (strstr(sql, "COMMIT")) {
            struct engine_env c = {.type = ENGINE_ENV_COMMIT_TRAN, .descriptor = 77};
            out->envchange(ctx, &c);
            out->done(ctx, 0, ENGINE_CMD_COMMIT, 0);
        }
        out->envchange(ctx, &env);
        return out->done(ctx, 0, ENGINE_CMD_BEGIN_TRAN, 0) ? SL_ECLOSED : 0;
    }
    if (!strncasecmp(sql, "commit", 6) || !strncasecmp(sql, "rollback", 8)) {
        env.type = sql[0] == 'c' || sql[0] == 'C' ? ENGINE_ENV_COMMIT_TRAN : ENGINE_ENV_ROLLBACK_TRAN;
        env.descriptor = s->tran ? s->tran : 77;
        s->tran = 0;
        out->envchange(ctx, &env);
        return out->done(ctx, 0, ENGINE_CMD_COMMIT, 0) ? SL_ECLOSED : 0;
    }
    return out->done(ctx, 0, ENGINE_CMD_SET, 0) ? SL_ECLOSED : 0;
}

int engine_rpc(struct engine_session *s, const char *proc, const struct engine_param *params,
               size_t nparams, const struct engine_out *out, void *ctx)
{
    struct engine_column cols[32];
    struct tl_value vals[32];
    size_t n = 0;
    (void)s;
    (void)proc;
    for (size_t i = 2; i < nparams && n < 32; i++) {
        cols[n].name = params[i].name;
        cols[n].type = params[i].type;
        cols[n].flags = 1;
        vals[n++] = params[i].value;
    }
    if (n && (out->columns(ctx, cols, n) || out->row(ctx, vals, n) ||
              out->done(ctx, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, 1)))
        return SL_ECLOSED;
    out->retstatus(ctx, 0);
    for (size_t i = 0; i < nparams; i++)
        if (params[i].output)
            out->retvalue(ctx, (uint16_t)i, params[i].name, &params[i].type, &params[i].value);
    return 0;
}

int engine_bulk_open(struct engine_session *s, const struct engine_column *cols, size_t ncols,
                     const struct engine_out *out, void *ctx, struct engine_bulk **bulkp)
{
    struct engine_bulk *b = calloc(1, sizeof(*b));
    (void)s;
    (void)cols;
    (void)ncols;
    b->out = out;
    b->ctx = ctx;
    *bulkp = b;
    return 0;
}
int engine_bulk_row(struct engine_bulk *b, const struct tl_value *vals, size_t n)
{
    (void)vals;
    (void)n;
    b->rows++;
    return 0;
}
int engine_bulk_close(struct engine_bulk *b, bool commit)
{
    int rc = commit ? b->out->done(b->ctx, ENGINE_DONE_COUNT, ENGINE_CMD_INSERT, b->rows) : 0;
    free(b);
    return rc ? SL_ECLOSED : 0;
}

/* ---- scripted client over a socketpair ---- */

struct srv_arg {
    struct engine *e;
    int fd;
};

static void *serve_thread(void *p)
{
    struct srv_arg *a = p;
    session_serve(a->e, a->fd, 51, "test");
    return NULL;
}

static void send_msg(int fd, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t h[8] = {type, 1, (uint8_t)((n + 8) >> 8), (uint8_t)(n + 8), 0, 0, 1, 0};
    assert_int_equal(write(fd, h, 8), 8);
    if (n)
        assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* Read one whole server message (payload of its packets) into out. */
static void read_msg(int fd, struct buf *out)
{
    buf_reset(out);
    for (;;) {
        uint8_t h[8];
        size_t len, got = 0;
        uint8_t tmp[65536];
        while (got < 8) {
            ssize_t k = read(fd, h + got, 8 - got);
            assert_true(k > 0);
            got += (size_t)k;
        }
        assert_int_equal(h[0], 0x04);
        assert_int_equal(h[4] << 8 | h[5], 51);
        len = (size_t)(h[2] << 8 | h[3]) - 8;
        got = 0;
        while (got < len) {
            ssize_t k = read(fd, tmp + got, len - got);
            assert_true(k > 0);
            got += (size_t)k;
        }
        buf_append(out, tmp, len);
        if (h[1] & 1)
            return;
    }
}

static void put16(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_append_u16le(b, (uint8_t)*s);
}

static void login(int fd, const char *user, const char *pw, struct buf *resp)
{
    struct buf b;
    const char *vals[] = {"h", user, pw, "test", "srv", "", "lib", "", ""};
    static const uint16_t offs[] = {36, 40, 44, 48, 52, 56, 60, 64, 68};
    buf_init(&b, 0);
    buf_reserve(&b, 400);
    memset(b.data, 0, 94);
    b.len = 94;
    b.data[4] = 4, b.data[7] = 0x74;
    b.data[9] = 0x10; /* packet size 4096 */
    for (int i = 0; i < 9; i++) {
        size_t at = b.len;
        if (i == 2) {
            for (const char *c = pw; *c; c++) {
                uint8_t x[2] = {(uint8_t)*c, 0};
                for (int k = 0; k < 2; k++)
                    buf_append_byte(&b, (uint8_t)(((x[k] << 4) | (x[k] >> 4)) ^ 0xA5));
            }
        } else {
            put16(&b, vals[i]);
        }
        b.data[offs[i]] = (uint8_t)at;
        b.data[offs[i] + 1] = (uint8_t)(at >> 8);
        b.data[offs[i] + 2] = (uint8_t)strlen(vals[i]);
    }
    b.data[0] = (uint8_t)b.len;
    send_msg(fd, 0x10, b.data, b.len);
    read_msg(fd, resp);
    buf_free(&b);
}

static void batch(int fd, const char *sql, struct buf *resp)
{
    struct buf b;
    static const uint8_t hdr[22] = {0x16, 0, 0, 0, 0x12, 0, 0, 0, 0x02, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    buf_init(&b, 0);
    buf_append(&b, hdr, sizeof(hdr));
    put16(&b, sql);
    send_msg(fd, 0x01, b.data, b.len);
    read_msg(fd, resp);
    buf_free(&b);
}

static struct engine *fake;

static int start(int *client, pthread_t *th, struct srv_arg *a)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a->e = fake;
    a->fd = sv[0];
    *client = sv[1];
    return pthread_create(th, NULL, serve_thread, a);
}

static void test_login_and_batches(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r;
    (void)state;
    buf_init(&r, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "pw", &r);
    assert_int_equal(r.data[0], 0xE3); /* ENVCHANGE database first */
    assert_int_equal(r.data[r.len - 13], 0xFD);
    batch(fd, "select types", &r);
    assert_int_equal(r.data[0], 0x81);
    /* Final DONE: COUNT, no MORE, count 1. */
    {
        static const uint8_t done[] = {0xFD, 0x10, 0x00, 0xC1, 0x00, 1, 0, 0, 0, 0, 0, 0, 0};
        assert_memory_equal(r.data + r.len - 13, done, 13);
    }
    batch(fd, "error", &r);
    assert_int_equal(r.data[0], 0xAA);
    assert_int_equal(r.data[r.len - 13], 0xFD);
    assert_int_equal(r.data[r.len - 12], 0x02);
    /* Attention while idle gets a DONE(ATTN) message. */
    send_msg(fd, 0x06, NULL, 0);
    read_msg(fd, &r);
    {
        static const uint8_t ack[] = {0xFD, 0x20, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assert_int_equal(r.len, 13);
        assert_memory_equal(r.data, ack, 13);
    }
    close(fd);
    pthread_join(th, NULL);
    buf_free(&r);
}

/*
 * NOT NULL columns go out as SQL Server sends them (INT4, fNullable clear);
 * a NULL the engine sends anyway ends the result with ERROR 50000 naming
 * the column and DONE(ERROR), and nothing of the bad row or the rows after
 * it reaches the stream.
 */
static void test_not_null_columns(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r, want;
    static const char text[] = "tdslite internal error: NULL in NOT NULL column 'id'";
    (void)state;
    buf_init(&r, 0);
    buf_init(&want, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "pw", &r);
    batch(fd, "select notnull", &r);
    {
        /* COLMETADATA: int NOT NULL is INT4 (0x38) with no TYPE_INFO after it,
         * flags 0x0008 (fNullable clear, updateable unknown); nvarchar keeps
         * its code and only loses fNullable. ROW: 07 00 00 00 with no length
         * byte, then the nvarchar value. */
        static const uint8_t head[] = {
            0x81, 0x02, 0x00,
            0, 0, 0, 0, 0x08, 0x00, 0x38, 0x02, 'i', 0, 'd', 0,
            0, 0, 0, 0, 0x08, 0x00, 0xE7, 0x08, 0x00, 0x09, 0x04, 0xD0, 0x00, 0x34, 0x01, 's', 0,
            0xD1, 0x07, 0x00, 0x00, 0x00, 0x04, 0x00, 'a', 0, 'b', 0,
            0xAA};
        static const uint8_t done[] = {0xFD, 0x02, 0x00, 0xC1, 0x00}; /* count not valid */
        assert_true(r.len > sizeof(head) + 13);
        assert_memory_equal(r.data, head, sizeof(head));
        /* ERROR: length, number 50000, state 1, class 16, then the text;
         * right after it the final DONE (ERROR, no COUNT): the bad row and
         * the row after it never reach the stream. */
        size_t h = sizeof(head), len = (size_t)(r.data[h] | r.data[h + 1] << 8);
        assert_int_equal(r.data[h + 2] | r.data[h + 3] << 8 | r.data[h + 4] << 16 | r.data[h + 5] << 24,
                         50000);
        assert_int_equal(r.data[h + 7], 16);
        assert_int_equal(r.data[h + 8] | r.data[h + 9] << 8, strlen(text));
        put16(&want, text);
        assert_memory_equal(r.data + h + 10, want.data, want.len);
        assert_int_equal(r.len, h + 2 + len + 13);
        assert_memory_equal(r.data + r.len - 13, done, sizeof(done));
    }
    /* The session goes on. */
    batch(fd, "select types", &r);
    assert_int_equal(r.data[0], 0x81);
    close(fd);
    pthread_join(th, NULL);
    buf_free(&r);
    buf_free(&want);
}

static void test_bad_login(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r;
    (void)state;
    buf_init(&r, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "wrong", &r);
    assert_int_equal(r.data[0], 0xAA);
    assert_int_equal(r.data[r.len - 13], 0xFD);
    assert_int_equal(r.data[r.len - 12], 0x02);
    pthread_join(th, NULL);
    close(fd);
    buf_free(&r);
}

static void test_cancel_large_result(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r, req;
    static const uint8_t hdr[22] = {0x16, 0, 0, 0, 0x12, 0, 0, 0, 0x02, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    (void)state;
    buf_init(&r, 0);
    buf_init(&req, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "pw", &r);
    buf_append(&req, hdr, sizeof(hdr));
    put16(&req, "select big 100000000");
    send_msg(fd, 0x01, req.data, req.len);
    /* Do not read: the server blocks on a full socket, then sees the attention. */
    usleep(100000);
    send_msg(fd, 0x06, NULL, 0);
    read_msg(fd, &r); /* truncated result, ends with a final DONE */
    assert_int_equal(r.data[r.len - 13], 0xFD);
    assert_int_equal(r.data[r.len - 12] & 0x01, 0);
    read_msg(fd, &r); /* the separate attention ack */
    assert_int_equal(r.len, 13);
    assert_int_equal(r.data[1], 0x20);
    /* The session is still usable. */
    batch(fd, "select types", &r);
    assert_int_equal(r.data[0], 0x81);
    close(fd);
    pthread_join(th, NULL);
    buf_free(&r);
    buf_free(&req);
}


/* Bulk load as FreeTDS sends it: COLMETADATA + ROWs (one NBCROW), no DONE. */
static void test_bulk_load(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r, m;
    static const uint8_t coll[5] = {0x09, 0x04, 0xD0, 0x00, 0x34};
    (void)state;
    buf_init(&r, 0);
    buf_init(&m, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "pw", &r);
    buf_append(&m, "\x81\x02\x00", 3);
    buf_append(&m, "\x00\x00\x00\x00\x09\x00\x26\x04", 8); /* usertype, flags, INTN(4) */
    buf_append(&m, "\x02i\x00d\x00", 5);
    buf_append(&m, "\x00\x00\x00\x00\x09\x00\xA7\xFF\xFF", 9); /* varchar(max) */
    buf_append(&m, coll, 5);
    buf_append(&m, "\x01s\x00", 3);
    for (int i = 0; i < 3; i++) {
        buf_append(&m, "\xD1\x04", 2);
        buf_append_u32le(&m, (uint32_t)i);
        buf_append_u64le(&m, UINT64_C(0xFFFFFFFFFFFFFFFE));
        buf_append_u32le(&m, 1);
        buf_append(&m, "x", 1);
        buf_append_u32le(&m, 0);
    }
    buf_append(&m, "\xD2\x02\x04\x09\x00\x00\x00", 7); /* NBCROW: s NULL */
    send_msg(fd, 0x07, m.data, m.len);
    read_msg(fd, &r);
    {
        static const uint8_t done[] = {0xFD, 0x10, 0x00, 0xC3, 0x00, 4, 0, 0, 0, 0, 0, 0, 0};
        assert_int_equal(r.len, 13);
        assert_memory_equal(r.data, done, 13);
    }
    close(fd);
    pthread_join(th, NULL);
    buf_free(&r);
    buf_free(&m);
}

/* Two RPCs in one message: DONEINPROC, RETURNSTATUS, RETURNVALUE, DONEPROC(MORE), ..., DONEPROC. */
static void test_rpc_response_shape(void **state)
{
    int fd;
    pthread_t th;
    struct srv_arg a;
    struct buf r, m;
    static const uint8_t hdr[22] = {0x16, 0, 0, 0, 0x12, 0, 0, 0, 0x02, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    (void)state;
    buf_init(&r, 0);
    buf_init(&m, 0);
    start(&fd, &th, &a);
    login(fd, "sa", "pw", &r);
    buf_append(&m, hdr, sizeof(hdr));
    for (int k = 0; k < 2; k++) {
        if (k)
            buf_append_byte(&m, 0xFF);
        buf_append(&m, "\xFF\xFF\x0A\x00\x00\x00", 6);
        buf_append(&m, "\x00\x00\x26\x04\x04\x01\x00\x00\x00", 9); /* stmt (ignored by fake) */
        buf_append(&m, "\x00\x00\x26\x04\x00", 5);
        buf_append(&m, "\x02@\x00o\x00\x01\x26\x04\x04\x07\x00\x00\x00", 13); /* @o OUTPUT 7 */
    }
    send_msg(fd, 0x03, m.data, m.len);
    read_msg(fd, &r);
    /* COLMETADATA ... DONEINPROC(MORE|COUNT) RETURNSTATUS RETURNVALUE DONEPROC(MORE) ... DONEPROC */
    assert_int_equal(r.data[0], 0x81);
    {
        static const uint8_t tail[] = {0x79, 0, 0, 0, 0};
        static const uint8_t last[] = {0xFE, 0x00, 0x00, 0xE0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
        size_t i, found = 0;
        for (i = 0; i + 5 <= r.len; i++)
            if (!memcmp(r.data + i, tail, 5))
                found++;
        assert_int_equal(found, 2);
        assert_memory_equal(r.data + r.len - 13, last, 13);
        assert_int_equal(r.data[r.len - 13 - 4], 7); /* RETURNVALUE int 7 before it */
    }
    close(fd);
    pthread_join(th, NULL);
    buf_free(&r);
    buf_free(&m);
}

static volatile sig_atomic_t stop_flag;
static void on_sig(int s)
{
    (void)s;
    stop_flag = 1;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_batches),
        cmocka_unit_test(test_not_null_columns),
        cmocka_unit_test(test_bad_login),
        cmocka_unit_test(test_cancel_large_result),
        cmocka_unit_test(test_bulk_load),
        cmocka_unit_test(test_rpc_response_shape),
    };
    signal(SIGPIPE, SIG_IGN);
    engine_open(NULL, &fake, NULL);
    if (argc == 3 && !strcmp(argv[1], "--serve")) {
        struct server *srv;
        struct sl_err err;
        sl_log_setup(SL_LOG_DEBUG, NULL);
        signal(SIGINT, on_sig);
        signal(SIGTERM, on_sig);
        if (server_open(fake, "127.0.0.1", (uint16_t)strtol(argv[2], NULL, 10), &srv, &err))
            return 1;
        printf("tdslite: listening on 127.0.0.1:%u\n", server_port(srv));
        fflush(stdout);
        server_run(srv, &stop_flag);
        server_close(srv);
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
