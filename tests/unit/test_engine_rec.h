/*
 * test_engine_rec: the recording engine_out shared by the engine's cmocka
 * tests (test_engine_*.c). Every event becomes one line of text in
 * rec.log ("cols:a int,b varchar(2)", "row:1|ab", "done:C1", "ERR 2627,14,1:
 * ...", "INFO 3621,0,0: ...", "env:8 ", "status:7", "ret:@o=42"), so a test
 * asserts a whole response with one string compare.
 *
 * Header-only with static functions: each test file is its own program.
 * Include after <cmocka.h>.
 */
#ifndef TEST_ENGINE_REC_H
#define TEST_ENGINE_REC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "engine.h"
#include "value/value.h"

/* ------------------------------------------------------------ recorder */

struct rec {
    struct buf log; /* one line per event */
    int ncols;
    struct engine_column cols[64];
    char colnames[64][64];
    long rows;
    bool keep_rows;
    int nerrors;
    int last_error;
    char last_text[512];
    int envs[16];
    int nenvs;
    uint64_t last_desc;
    int null_in_not_null; /* NULL values in columns described NOT NULL */
};

static inline void fmt_value(struct buf *b, const struct tl_value *v)
{
    switch (v->kind) {
    case TL_V_NULL: buf_append_str(b, "NULL"); break;
    case TL_V_INT: buf_appendf(b, "%lld", (long long)v->i); break;
    case TL_V_REAL: buf_appendf(b, "%.17g", v->r); break;
    case TL_V_TEXT: buf_append(b, v->p, v->n); break;
    case TL_V_BLOB:
        buf_append_str(b, "0x");
        for (size_t i = 0; i < v->n; i++)
            buf_appendf(b, "%02X", v->p[i]);
        break;
    }
}

static inline int r_columns(void *ctx, const struct engine_column *cols, size_t n)
{
    struct rec *r = ctx;
    r->ncols = (int)n;
    buf_append_str(&r->log, "cols:");
    for (size_t i = 0; i < n && i < 64; i++) {
        char tn[64];
        value_type_name(&cols[i].type, tn, sizeof(tn));
        buf_appendf(&r->log, "%s%s %s", i ? "," : "", cols[i].name, tn);
        r->cols[i] = cols[i];
        snprintf(r->colnames[i], 64, "%s", cols[i].name);
        r->cols[i].name = r->colnames[i];
    }
    buf_append_str(&r->log, "\n");
    return 0;
}

static inline int r_row(void *ctx, const struct tl_value *vals, size_t n)
{
    struct rec *r = ctx;
    r->rows++;
    for (size_t i = 0; i < n && i < 64; i++)
        if (vals[i].kind == TL_V_NULL && !(r->cols[i].flags & ENGINE_COL_NULLABLE))
            r->null_in_not_null++;
    if (!r->keep_rows)
        return 0;
    buf_append_str(&r->log, "row:");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_str(&r->log, "|");
        fmt_value(&r->log, &vals[i]);
    }
    buf_append_str(&r->log, "\n");
    return 0;
}

static inline int r_done(void *ctx, unsigned flags, uint16_t cmd, uint64_t count)
{
    struct rec *r = ctx;
    buf_appendf(&r->log, "done:%s%s%llu\n", flags & ENGINE_DONE_ERROR ? "E" : "",
                flags & ENGINE_DONE_COUNT ? "C" : "", (unsigned long long)count);
    (void)cmd;
    return 0;
}

static inline int r_message(void *ctx, const struct engine_msg *m, bool is_error)
{
    struct rec *r = ctx;
    buf_appendf(&r->log, "%s %d,%d,%d: %s\n", is_error ? "ERR" : "INFO", m->number, m->severity,
                m->state, m->text);
    if (is_error) {
        r->nerrors++;
        r->last_error = m->number;
        snprintf(r->last_text, sizeof(r->last_text), "%s", m->text);
    }
    return 0;
}

static inline int r_env(void *ctx, const struct engine_env *e)
{
    struct rec *r = ctx;
    if (r->nenvs < 16)
        r->envs[r->nenvs++] = e->type;
    if (e->type != ENGINE_ENV_DATABASE)
        r->last_desc = e->descriptor;
    buf_appendf(&r->log, "env:%d %s\n", e->type, e->new_name ? e->new_name : "");
    return 0;
}

static inline int r_retstatus(void *ctx, int32_t st)
{
    struct rec *r = ctx;
    buf_appendf(&r->log, "status:%d\n", st);
    return 0;
}

static inline int r_retvalue(void *ctx, uint16_t ord, const char *name, const struct tl_type *t,
                      const struct tl_value *v)
{
    struct rec *r = ctx;
    buf_appendf(&r->log, "ret:%s=", name);
    fmt_value(&r->log, v);
    buf_append_str(&r->log, "\n");
    (void)ord;
    (void)t;
    return 0;
}

static inline bool r_cancelled(void *ctx)
{
    (void)ctx;
    return false;
}

static const struct engine_out rec_out = {r_columns, r_row, r_done, r_message, r_env,
                                          r_retstatus, r_retvalue, r_cancelled, NULL};

struct fx {
    struct engine *e;
    struct engine_session *s;
    struct rec r;
};

static inline void rec_reset(struct rec *r)
{
    buf_reset(&r->log);
    r->ncols = 0;
    r->rows = 0;
    r->keep_rows = true;
    r->nerrors = 0;
    r->last_error = 0;
    r->last_text[0] = 0;
    r->nenvs = 0;
    r->null_in_not_null = 0;
}

static inline const char *run(struct fx *f, const char *sql)
{
    rec_reset(&f->r);
    int rc = engine_batch(f->s, sql, strlen(sql), &rec_out, &f->r);
    assert_int_equal(rc, 0);
    /* Every batch doubles as a check of the NOT NULL promise the TDS layer
     * turns into fixed types that cannot carry NULL. */
    assert_int_equal(f->r.null_in_not_null, 0);
    return f->r.log.data ? (const char *)f->r.log.data : "";
}

static inline int rec_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct engine_config cfg = {NULL, "pw", 0};
    struct sl_err err = {0};
    buf_init(&f->r.log, 0);
    if (engine_open(&cfg, &f->e, &err))
        return -1;
    if (engine_login(f->e, "sa", "pw", "", 51, &rec_out, &f->r, &f->s))
        return -1;
    *state = f;
    return 0;
}

static inline int rec_teardown(void **state)
{
    struct fx *f = *state;
    engine_session_close(f->s);
    engine_close(f->e);
    buf_free(&f->r.log);
    free(f);
    return 0;
}

#define EXPECT(f, sql, want) assert_string_equal(run(f, sql), want)

/* Run a batch that must not fail (fails the test with its log if it does). */
static inline void run_ok(struct fx *f, const char *sql)
{
    const char *log = run(f, sql);
    if (f->r.nerrors)
        fail_msg("unexpected error in: %s\n%s", sql, log);
}

/* The "row:" lines of a batch that must not fail, without the prefix, each
 * ending in a newline. Valid until the next run_rows (a static buffer of
 * 16 KiB; rows past it are left out). */
static inline const char *run_rows(struct fx *f, const char *sql)
{
    static char out[16384];
    const char *log = run(f, sql);
    size_t n = 0;
    if (f->r.nerrors)
        fail_msg("unexpected error in: %s\n%s", sql, log);
    out[0] = 0;
    for (const char *p = log; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!strncmp(p, "row:", 4) && n + len < sizeof(out)) {
            memcpy(out + n, p + 4, len - 4);
            n += len - 4;
            out[n] = 0;
        }
        p += len;
    }
    return out;
}

/* Run an RPC with the given parameters; returns the log. */
static inline const char *run_rpc(struct fx *f, const char *proc, const struct engine_param *p, size_t n)
{
    rec_reset(&f->r);
    int rc = engine_rpc(f->s, proc, p, n, &rec_out, &f->r);
    assert_int_equal(rc, 0);
    return f->r.log.data ? (const char *)f->r.log.data : "";
}

/* A second session on the same engine (concurrency tests); caller closes. */
static inline struct engine_session *second_session(struct fx *f, struct rec *r, const char *db)
{
    struct engine_session *s2 = NULL;
    buf_init(&r->log, 0);
    assert_int_equal(engine_login(f->e, "sa", "pw", db, 52, &rec_out, r, &s2), 0);
    return s2;
}

static inline const char *run_on(struct engine_session *s, struct rec *r, const char *sql)
{
    rec_reset(r);
    assert_int_equal(engine_batch(s, sql, strlen(sql), &rec_out, r), 0);
    return r->log.data ? (const char *)r->log.data : "";
}

/* Parameter helpers for RPC tests. */
static inline struct engine_param int_param(const char *name, int64_t v, bool output)
{
    struct engine_param p;
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.type = (struct tl_type){TL_T_INT, 0, 0, 0};
    p.value = (struct tl_value){TL_V_INT, v, 0, NULL, 0};
    p.output = output;
    return p;
}

static inline struct engine_param null_param(const char *name, enum tl_type_id id, bool output)
{
    struct engine_param p;
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.type = (struct tl_type){id, id == TL_T_NVARCHAR ? 50 : 0, 0, 0};
    p.value.kind = TL_V_NULL;
    p.output = output;
    return p;
}

static inline struct engine_param text_param(const char *name, const char *v)
{
    struct engine_param p;
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.type = (struct tl_type){TL_T_NVARCHAR, TL_MAX, 0, 0};
    p.value = (struct tl_value){TL_V_TEXT, 0, 0, (const uint8_t *)v, strlen(v)};
    return p;
}

#define EXPECT(f, sql, want) assert_string_equal(run(f, sql), want)
#define EXPECT_IN(haystack, needle)                                                              \
    do {                                                                                         \
        const char *h_ = (haystack);                                                             \
        if (!strstr(h_, (needle)))                                                               \
            fail_msg("expected \"%s\" in:\n%s", (needle), h_);                                   \
    } while (0)
#define EXPECT_NOT_IN(haystack, needle)                                                          \
    do {                                                                                         \
        const char *h_ = (haystack);                                                             \
        if (strstr(h_, (needle)))                                                                \
            fail_msg("unexpected \"%s\" in:\n%s", (needle), h_);                                 \
    } while (0)

#endif
