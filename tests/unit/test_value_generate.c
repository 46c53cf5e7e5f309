/* Unit tests for value_generate: determinism and domain validity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/utf8.h"
#include "value/value.h"

static const char *const types[] = {
    "bit", "tinyint", "smallint", "int", "bigint", "decimal(38,0)", "decimal(38,38)",
    "numeric(10,3)", "money", "smallmoney", "real", "float", "date", "time(0)", "time(7)",
    "datetime", "smalldatetime", "datetime2(3)", "datetimeoffset(7)", "char(10)", "varchar(50)",
    "varchar(max)", "nchar(5)", "nvarchar(20)", "nvarchar(max)", "binary(8)", "varbinary(16)",
    "varbinary(max)", "uniqueidentifier", "xml", "rowversion",
};

static bool same(const struct tl_value *a, const struct tl_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TL_V_INT: return a->i == b->i;
    case TL_V_REAL: return memcmp(&a->r, &b->r, sizeof a->r) == 0;
    case TL_V_TEXT:
    case TL_V_BLOB: return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
    default: return true;
    }
}

static void test_determinism(void **state)
{
    struct arena a;
    (void)state;
    arena_init(&a, 0, 0);
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        struct tl_type t;
        struct value_error e;
        int differ = 0;
        assert_int_equal(value_parse_type(types[k], strlen(types[k]), &t, &e), 0);
        for (uint64_t row = 0; row < 200; row++) {
            struct tl_value v1, v2, v3;
            value_generate(&t, true, 42, row, (uint32_t)k, &a, &v1);
            value_generate(&t, true, 42, row, (uint32_t)k, &a, &v2);
            value_generate(&t, true, 42, row + 1, (uint32_t)k, &a, &v3);
            assert_true(same(&v1, &v2));
            differ += !same(&v1, &v3);
        }
        assert_true(differ > (strcmp(types[k], "bit") == 0 ? 50 : 150));
        arena_reset(&a);
    }
    arena_free(&a);
}

/* Every generated value survives conversion to its own type unchanged. */
static void test_domain(void **state)
{
    struct arena a;
    (void)state;
    arena_init(&a, 0, 0);
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        struct tl_type t;
        struct value_error e;
        int nulls = 0, extremes_seen = 0;
        assert_int_equal(value_parse_type(types[k], strlen(types[k]), &t, &e), 0);
        for (uint64_t row = 0; row < 3000; row++) {
            struct tl_value v, c;
            value_generate(&t, row % 2 == 0, 7, row, 3, &a, &v);
            if (v.kind == TL_V_NULL) {
                nulls++;
                continue;
            }
            if (v.kind == TL_V_TEXT)
                assert_true(utf8_valid(v.p, v.n));
            if (t.id != TL_T_ROWVERSION && t.id != TL_T_XML) {
                int rc = value_convert(&v, &t, &t, -1, false, "t", types[k], &a, &c, &e);
                if (rc != 0)
                    fail_msg("%s row %llu: %s", types[k], (unsigned long long)row, e.text);
                if (!same(&v, &c) && t.id != TL_T_REAL)
                    fail_msg("%s row %llu: '%.*s' -> '%.*s'", types[k], (unsigned long long)row,
                             (int)v.n, (const char *)v.p, (int)c.n, (const char *)c.p);
            }
            if (t.id == TL_T_INT && (v.i == INT32_MIN || v.i == INT32_MAX))
                extremes_seen++;
            if (t.id == TL_T_DECIMAL && t.scale == 0 && v.n == 39 && v.p[0] == '-')
                extremes_seen++;
            if (t.id == TL_T_DATE && (memcmp(v.p, "0001-01-01", 10) == 0 ||
                                      memcmp(v.p, "9999-12-31", 10) == 0))
                extremes_seen++;
        }
        assert_true(nulls > 30 && nulls < 120); /* ~5% of the 1500 nullable rows */
        if (t.id == TL_T_INT || t.id == TL_T_DATE || (t.id == TL_T_DECIMAL && t.scale == 0))
            assert_true(extremes_seen > 5);
        arena_reset(&a);
    }
    arena_free(&a);
}

static void test_strings(void **state)
{
    struct arena a;
    struct tl_type vc = {TL_T_VARCHAR, 50, 0, 0}, nv = {TL_T_NVARCHAR, 20, 0, 0};
    int non_bmp = 0;
    (void)state;
    arena_init(&a, 0, 0);
    for (uint64_t row = 0; row < 2000; row++) {
        struct tl_value v;
        size_t i = 0;
        value_generate(&vc, false, 1, row, 0, &a, &v);
        assert_true(value_text_units(v.p, v.n, false) <= 50);
        while (i < v.n) {
            int32_t cp = utf8_decode(v.p, v.n, &i);
            assert_true(value_cp1252_from_unicode(cp) >= 0);
        }
        value_generate(&nv, false, 1, row, 1, &a, &v);
        assert_true(value_text_units(v.p, v.n, true) <= 20);
        for (i = 0; i < v.n;)
            non_bmp += utf8_decode(v.p, v.n, &i) >= 0x10000;
    }
    assert_true(non_bmp > 100);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_domain),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
