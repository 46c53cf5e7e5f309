/* Unit tests for emulator/tds request.c: RPC parameter decoding of a
 * tedious-shaped and a FreeTDS-shaped sp_executesql, several RPCs in one
 * message, and TM requests translated to T-SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "request.h"
#include "types.h"
#include "wire.h"

static const uint8_t all_headers[22] = {0x16, 0, 0, 0, 0x12, 0, 0, 0, 0x02, 0,
                                        1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
static const uint8_t coll[5] = {0x09, 0x04, 0xD0, 0x00, 0x34};

static void put16(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_append_u16le(b, (uint8_t)*s);
}

static void bname(struct buf *b, const char *s)
{
    buf_append_byte(b, (uint8_t)strlen(s));
    put16(b, s);
}

/* NVARCHAR(4000) parameter, as tedious sends short strings. */
static void nvarchar_param(struct buf *b, const char *name, const char *v)
{
    bname(b, name);
    buf_append_byte(b, 0);
    buf_append_byte(b, 0xE7);
    buf_append_u16le(b, 8000);
    buf_append(b, coll, 5);
    buf_append_u16le(b, (uint16_t)(strlen(v) * 2));
    put16(b, v);
}

static void check_text(const struct tl_value *v, const char *want)
{
    assert_int_equal(v->kind, TL_V_TEXT);
    assert_int_equal(v->n, strlen(want));
    assert_memory_equal(v->p, want, v->n);
}

static void test_tedious_executesql(void **state)
{
    struct buf b;
    struct arena a;
    struct tds_rd r;
    struct tds_rpc *rpcs;
    size_t n;
    char why[300];
    (void)state;
    buf_init(&b, 0);
    arena_init(&a, 0, 0);
    buf_append(&b, all_headers, sizeof(all_headers));
    buf_append(&b, "\xFF\xFF\x0A\x00\x00\x00", 6); /* ProcID 10, options 0 */
    nvarchar_param(&b, "@statement", "select @id, @s");
    nvarchar_param(&b, "@params", "@id int, @s nvarchar(max) OUTPUT");
    bname(&b, "@id");
    buf_append(&b, "\x00\x26\x04\x04\x2A\x00\x00\x00", 8); /* INTN(4) 42 */
    /* @s: nvarchar(max) OUTPUT with UNKNOWN_LEN PLP "héllo" split in 2 chunks. */
    bname(&b, "@s");
    buf_append_byte(&b, 0x01);
    buf_append(&b, "\xE7\xFF\xFF", 3);
    buf_append(&b, coll, 5);
    buf_append_u64le(&b, UINT64_C(0xFFFFFFFFFFFFFFFE));
    buf_append_u32le(&b, 4);
    buf_append(&b, "h\0\xE9\0", 4);
    buf_append_u32le(&b, 6);
    buf_append(&b, "l\0l\0o\0", 6);
    buf_append_u32le(&b, 0);
    /* A typed NULL: DATETIME2(7) with length 0, and a default. */
    bname(&b, "@d");
    buf_append(&b, "\x00\x2A\x07\x00", 4);
    bname(&b, "@x");
    buf_append(&b, "\x02\x26\x04\x00", 4);

    wire_rd_init(&r, b.data, b.len);
    assert_int_equal(request_skip_headers(&r), 0);
    assert_int_equal(request_parse_rpc(&r, 74, &a, &rpcs, &n, why, sizeof(why)), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rpcs[0].proc, "sp_executesql");
    assert_int_equal(rpcs[0].nparams, 6);
    assert_string_equal(rpcs[0].params[0].name, "@statement");
    check_text(&rpcs[0].params[0].value, "select @id, @s");
    assert_int_equal(rpcs[0].params[0].type.id, TL_T_NVARCHAR);
    assert_int_equal(rpcs[0].params[0].type.length, 4000);
    check_text(&rpcs[0].params[1].value, "@id int, @s nvarchar(max) OUTPUT");
    assert_string_equal(rpcs[0].params[2].name, "@id");
    assert_int_equal(rpcs[0].params[2].type.id, TL_T_INT);
    assert_int_equal(rpcs[0].params[2].value.kind, TL_V_INT);
    assert_int_equal(rpcs[0].params[2].value.i, 42);
    assert_true(rpcs[0].params[3].output);
    assert_int_equal(rpcs[0].params[3].type.length, TL_MAX);
    check_text(&rpcs[0].params[3].value, "h\xC3\xA9llo");
    assert_int_equal(rpcs[0].params[4].type.id, TL_T_DATETIME2);
    assert_int_equal(rpcs[0].params[4].type.scale, 7);
    assert_int_equal(rpcs[0].params[4].value.kind, TL_V_NULL);
    assert_true(rpcs[0].params[5].use_default);
    buf_free(&b);
    arena_free(&a);
}

/* NTEXT statement (FreeTDS ct-lib/ODBC), unnamed params, then a second RPC. */
static void test_freetds_executesql_ntext(void **state)
{
    const char *stmt = "select @P1";
    const char *decl = "@P1 decimal(10,2)";
    struct buf b;
    struct arena a;
    struct tds_rd r;
    struct tds_rpc *rpcs;
    size_t n;
    char why[300];
    (void)state;
    buf_init(&b, 0);
    arena_init(&a, 0, 0);
    buf_append(&b, all_headers, sizeof(all_headers));
    buf_append(&b, "\xFF\xFF\x0A\x00\x00\x00", 6);
    buf_append(&b, "\x00\x00\x63", 3); /* unnamed, status 0, NTEXT */
    buf_append_u32le(&b, 0x7FFFFFFE);
    buf_append(&b, coll, 5);
    buf_append_u32le(&b, (uint32_t)strlen(stmt) * 2);
    put16(&b, stmt);
    buf_append(&b, "\x00\x00\x63", 3);
    buf_append_u32le(&b, 0x7FFFFFFE);
    buf_append(&b, coll, 5);
    buf_append_u32le(&b, (uint32_t)strlen(decl) * 2);
    put16(&b, decl);
    /* decimal(10,2) -123.45 in FreeTDS's compact 6-byte form. */
    buf_append(&b, "\x00\x00\x6A\x06\x0A\x02\x06\x00\x39\x30\x00\x00\x00", 13);
    /* An NTEXT NULL (-1). */
    buf_append(&b, "\x00\x00\x63", 3);
    buf_append_u32le(&b, 0x7FFFFFFE);
    buf_append(&b, coll, 5);
    buf_append_u32le(&b, 0xFFFFFFFF);
    /* Batch separator, then sp_unprepare by name with one INT param. */
    buf_append_byte(&b, 0xFF);
    buf_append_u16le(&b, 12);
    put16(&b, "sp_unprepare");
    buf_append(&b, "\x00\x00", 2);
    buf_append(&b, "\x00\x00\x38\x07\x00\x00\x00", 7); /* fixed INT4 = 7 */

    wire_rd_init(&r, b.data, b.len);
    assert_int_equal(request_skip_headers(&r), 0);
    assert_int_equal(request_parse_rpc(&r, 74, &a, &rpcs, &n, why, sizeof(why)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rpcs[0].nparams, 4);
    assert_string_equal(rpcs[0].params[0].name, "");
    assert_int_equal(rpcs[0].params[0].type.id, TL_T_NTEXT);
    check_text(&rpcs[0].params[0].value, stmt);
    check_text(&rpcs[0].params[1].value, decl);
    assert_int_equal(rpcs[0].params[2].type.id, TL_T_DECIMAL);
    assert_int_equal(rpcs[0].params[2].type.precision, 10);
    check_text(&rpcs[0].params[2].value, "-123.45");
    assert_int_equal(rpcs[0].params[3].value.kind, TL_V_NULL);
    assert_string_equal(rpcs[1].proc, "sp_unprepare");
    assert_int_equal(rpcs[1].nparams, 1);
    assert_int_equal(rpcs[1].params[0].value.i, 7);
    /* Truncated messages are rejected with a reason. */
    wire_rd_init(&r, b.data, 60);
    request_skip_headers(&r);
    assert_int_equal(request_parse_rpc(&r, 74, &a, &rpcs, &n, why, sizeof(why)), SL_ECORRUPT);
    assert_non_null(strstr(why, "RPC"));
    buf_free(&b);
    arena_free(&a);
}

static void tm(const uint8_t *p, size_t n, const char *want)
{
    struct tds_rd r;
    struct buf sql;
    char why[200];
    buf_init(&sql, 0);
    wire_rd_init(&r, p, n);
    assert_int_equal(request_tm_sql(&r, &sql, why, sizeof(why)), 0);
    assert_string_equal((const char *)sql.data, want);
    buf_free(&sql);
}

static void test_tm(void **state)
{
    static const uint8_t begin[] = {0x05, 0x00, 0x05, 0x06, 't', 0, 'x', 0, '1', 0};
    static const uint8_t begin_anon[] = {0x05, 0x00, 0x00, 0x00};
    static const uint8_t commit[] = {0x07, 0x00, 0x00, 0x00};
    static const uint8_t rollback_save[] = {0x08, 0x00, 0x04, 's', 0, 'p', 0, 0x00};
    static const uint8_t commit_begin[] = {0x07, 0x00, 0x00, 0x01, 0x02, 0x00};
    static const uint8_t save[] = {0x09, 0x00, 0x06, 'a', 0, ' ', 0, 'b', 0};
    static const uint8_t dtc[] = {0x06, 0x00};
    struct tds_rd r;
    struct buf sql;
    char why[200];
    (void)state;
    tm(begin, sizeof(begin), "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION tx1");
    tm(begin_anon, sizeof(begin_anon), "BEGIN TRANSACTION");
    tm(commit, sizeof(commit), "COMMIT TRANSACTION");
    tm(rollback_save, sizeof(rollback_save), "ROLLBACK TRANSACTION sp");
    tm(commit_begin, sizeof(commit_begin),
       "COMMIT TRANSACTION; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRANSACTION");
    tm(save, sizeof(save), "SAVE TRANSACTION [a b]");
    buf_init(&sql, 0);
    wire_rd_init(&r, dtc, sizeof(dtc));
    assert_int_equal(request_tm_sql(&r, &sql, why, sizeof(why)), SL_EUNSUPPORTED);
    buf_free(&sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tedious_executesql),
        cmocka_unit_test(test_freetds_executesql_ntext),
        cmocka_unit_test(test_tm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
