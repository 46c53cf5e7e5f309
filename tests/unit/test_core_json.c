/* Unit tests for src/core/json.c: the tree, exact integers, strings, positions, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/mem.h"

static int setup_arena(void **state)
{
    struct arena *a = sl_malloc(sizeof *a);
    assert_non_null(a);
    arena_init(a, 0, 0);
    *state = a;
    return 0;
}

static int teardown_arena(void **state)
{
    arena_free(*state);
    sl_free(*state);
    return 0;
}

/* Parse text that must be valid; returns the root. */
static struct json_val *parse_ok(struct arena *a, const char *text, unsigned flags)
{
    struct json_parse_error perr;
    struct json_val *v = NULL;
    assert_int_equal(json_parse(text, strlen(text), flags, a, &v, &perr), 0);
    assert_non_null(v);
    return v;
}

/* Parse text that must be refused; fills *perr. */
static void parse_bad(struct arena *a, const char *text, unsigned flags,
                      struct json_parse_error *perr)
{
    struct json_val *v = (struct json_val *)1;
    memset(perr, 0, sizeof *perr);
    assert_int_equal(json_parse(text, strlen(text), flags, a, &v, perr), SL_ECORRUPT);
    assert_null(v);
}

static void test_int64_extremes(void **state)
{
    struct json_val *v =
        parse_ok(*state, "[9223372036854775807, -9223372036854775808, 0, -1, 1.5, 1e3, 2E-2]", 0);
    struct json_parse_error perr;

    assert_int_equal(v->kind, JV_ARR);
    assert_int_equal(v->n, 7);
    assert_int_equal(v->items[0].kind, JV_INT);
    assert_true(v->items[0].i == INT64_MAX);
    assert_int_equal(v->items[1].kind, JV_INT);
    assert_true(v->items[1].i == INT64_MIN);
    assert_true(v->items[2].kind == JV_INT && v->items[2].i == 0);
    assert_true(v->items[3].kind == JV_INT && v->items[3].i == -1);
    /* A fraction or an exponent makes a real, even when the value is whole. */
    assert_int_equal(v->items[4].kind, JV_REAL);
    assert_true(v->items[4].r == 1.5);
    assert_int_equal(v->items[5].kind, JV_REAL);
    assert_true(v->items[5].r == 1000.0);
    assert_int_equal(v->items[6].kind, JV_REAL);
    assert_true(v->items[6].r == 0.02);

    /* One past either end is refused rather than rounded. */
    parse_bad(*state, "[9223372036854775808]", 0, &perr);
    assert_non_null(strstr(perr.text, "too big integer"));
    assert_int_equal(perr.line, 1);
    parse_bad(*state, "[-9223372036854775809]", 0, &perr);
    assert_non_null(strstr(perr.text, "too big negative integer"));
}

static void test_nested_order_and_lines(void **state)
{
    static const char text[] = "{\n"
                               "  \"z\": {\"b\": [true, false, null],\n"
                               "         \"a\": {}},\n"
                               "  \"y\": [\n"
                               "    [],\n"
                               "    {\"k\": \"v\"}\n"
                               "  ],\n"
                               "  \"x\": -0.25\n"
                               "}\n";
    struct json_val *v = parse_ok(*state, text, 0);
    const struct json_val *z, *b, *y;

    assert_int_equal(v->kind, JV_OBJ);
    assert_int_equal(v->line, 1);
    assert_int_equal(v->n, 3);
    /* Document order, not sorted. */
    assert_string_equal(v->keys[0], "z");
    assert_string_equal(v->keys[1], "y");
    assert_string_equal(v->keys[2], "x");
    assert_int_equal(v->key_lines[0], 2);
    assert_int_equal(v->key_lines[1], 4);
    assert_int_equal(v->key_lines[2], 8);

    z = &v->items[0];
    assert_int_equal(z->kind, JV_OBJ);
    assert_int_equal(z->line, 2);
    assert_int_equal(z->n, 2);
    assert_string_equal(z->keys[0], "b");
    assert_string_equal(z->keys[1], "a");
    assert_int_equal(z->key_lines[1], 3);
    b = &z->items[0];
    assert_int_equal(b->kind, JV_ARR);
    assert_int_equal(b->n, 3);
    assert_true(b->items[0].kind == JV_BOOL && b->items[0].b);
    assert_true(b->items[1].kind == JV_BOOL && !b->items[1].b);
    assert_int_equal(b->items[2].kind, JV_NULL);
    assert_int_equal(b->items[2].line, 2);
    assert_int_equal(z->items[1].kind, JV_OBJ);
    assert_int_equal(z->items[1].n, 0);
    assert_int_equal(z->items[1].line, 3);

    y = &v->items[1];
    assert_int_equal(y->kind, JV_ARR);
    assert_int_equal(y->line, 4);
    assert_int_equal(y->n, 2);
    assert_true(y->items[0].kind == JV_ARR && y->items[0].n == 0 && y->items[0].line == 5);
    assert_int_equal(y->items[1].line, 6);
    assert_string_equal(y->items[1].keys[0], "k");
    assert_int_equal(y->items[1].items[0].kind, JV_STR);
    assert_string_equal(y->items[1].items[0].s, "v");
    assert_int_equal(y->items[1].items[0].line, 6);

    assert_int_equal(v->items[2].kind, JV_REAL);
    assert_true(v->items[2].r == -0.25);
    assert_int_equal(v->items[2].line, 8);
}

static void test_utf8_strings(void **state)
{
    /* \u00e9 and a raw é, \u20ac, U+1F600 as a surrogate pair and raw, escapes. */
    static const char text[] = "[\"caf\\u00e9 caf\xC3\xA9\", \"\\u20ac\", \"\\ud83d\\ude00 "
                               "\xF0\x9F\x98\x80\", \"a\\\"b\\\\c\\/d\\n\\t\", \"{\\\"x\\\": [}\"]";
    struct json_val *v = parse_ok(*state, text, 0);
    struct json_parse_error perr;

    assert_int_equal(v->n, 5);
    assert_string_equal(v->items[0].s, "caf\xC3\xA9 caf\xC3\xA9");
    assert_string_equal(v->items[1].s, "\xE2\x82\xAC");
    assert_string_equal(v->items[2].s, "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80");
    assert_string_equal(v->items[3].s, "a\"b\\c/d\n\t");
    /* Brackets inside a string do not confuse the line scanner or the parser. */
    assert_string_equal(v->items[4].s, "{\"x\": [}");

    /* No NUL inside a string, no lone surrogate, no invalid UTF-8. */
    parse_bad(*state, "[\"a\\u0000b\"]", 0, &perr);
    assert_non_null(strstr(perr.text, "\\u0000 is not allowed"));
    parse_bad(*state, "[\"\\ud83d\"]", 0, &perr);
    assert_non_null(strstr(perr.text, "invalid Unicode"));
    parse_bad(*state, "[\"\xC3\x28\"]", 0, &perr);
    assert_non_null(strstr(perr.text, "unable to decode byte 0xc3"));
}

static void test_error_positions(void **state)
{
    struct json_parse_error perr;

    /* Line and column of the offending token; the reason quotes it. */
    parse_bad(*state, "{\n  \"a\": 1,\n  \"b\": }\n", 0, &perr);
    assert_int_equal(perr.line, 3);
    assert_int_equal(perr.column, 8);
    assert_string_equal(perr.text, "unexpected token near '}'");

    parse_bad(*state, "{\"a\": 1, \"a\": 2}", 0, &perr);
    assert_int_equal(perr.line, 1);
    assert_non_null(strstr(perr.text, "duplicate object key"));

    parse_bad(*state, "[1, 2", 0, &perr);
    assert_int_equal(perr.line, 1);
    assert_non_null(strstr(perr.text, "']' expected"));

    parse_bad(*state, "{} x", 0, &perr);
    assert_string_equal(perr.text, "end of file expected near 'x'");
    assert_int_equal(perr.column, 4);

    /* Nothing read on the line: column 0. */
    parse_bad(*state, "", 0, &perr);
    assert_int_equal(perr.line, 1);
    assert_int_equal(perr.column, 0);
    assert_string_equal(perr.text, "'[' or '{' expected near end of file");
}

static void test_any_root(void **state)
{
    struct json_parse_error perr;
    struct json_val *v;

    /* Without JSON_PARSE_ANY only an object or an array may stand at the top. */
    parse_bad(*state, "42", 0, &perr);
    assert_string_equal(perr.text, "'[' or '{' expected near '42'");
    v = parse_ok(*state, "\n 42 ", JSON_PARSE_ANY);
    assert_true(v->kind == JV_INT && v->i == 42 && v->line == 2);
    v = parse_ok(*state, "\"s\"", JSON_PARSE_ANY);
    assert_true(v->kind == JV_STR && strcmp(v->s, "s") == 0);
    v = parse_ok(*state, "null", JSON_PARSE_ANY);
    assert_int_equal(v->kind, JV_NULL);
}

/* Every arena allocation failing in turn gives SL_ENOMEM, then success. */
static void test_alloc_sweep(void **state)
{
    static const char text[] = "{\"a\": [1, \"two\", {\"b\": null}], \"c\": \"d\"}";
    struct json_parse_error perr;
    struct json_val *v = NULL;
    int rc = SL_ENOMEM;
    unsigned long nth;

    for (nth = 1; rc == SL_ENOMEM && nth < 1000; nth++) {
        struct arena a;
        arena_init(&a, 64, 0);
        sl_mem_fail_after(nth);
        rc = json_parse(text, strlen(text), 0, &a, &v, &perr);
        sl_mem_fail_after(0);
        if (rc == SL_ENOMEM)
            assert_null(v);
        else
            assert_string_equal(v->items[0].items[1].s, "two");
        arena_free(&a);
    }
    assert_int_equal(rc, 0);
    assert_true(nth > 2); /* some allocation did fail on the way */
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_int64_extremes, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_nested_order_and_lines, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_utf8_strings, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_error_positions, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_any_root, setup_arena, teardown_arena),
        cmocka_unit_test(test_alloc_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
