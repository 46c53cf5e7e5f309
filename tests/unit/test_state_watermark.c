/* Unit tests for src/state/watermark.c and history.c: golden bytes, round trips, corruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "state/clock.h"
#include "state/fsio.h"
#include "state/history.h"
#include "state/watermark.h"
#include "testutil.h"

static const char *files2[] = {
    "data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part1.parquet",
    "data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part2.parquet"};

static void fill_ct(struct watermark *wm)
{
    memset(wm, 0, sizeof *wm);
    wm->db = "shop";
    wm->schema = "dbo";
    wm->table = "orders";
    watermark_pos_ct(&wm->pos, 42);
    wm->mode = WM_MODE_INCREMENTAL;
    wm->run_id = "20261121T100000Z-1a2b";
    wm->rows = 1234;
    wm->duration_ms = 5678;
    wm->files = files2;
    wm->nfiles = 2;
    wm->schema_version = "0123456789abcdef";
    wm->updated_at = "2026-11-21T10:00:05.678Z";
}

static const char *golden_ct =
    "{\n"
    "  \"format_version\": 1,\n"
    "  \"db\": \"shop\",\n"
    "  \"schema\": \"dbo\",\n"
    "  \"table\": \"orders\",\n"
    "  \"capture\": \"ct\",\n"
    "  \"position\": {\n"
    "    \"version\": 42\n"
    "  },\n"
    "  \"mode\": \"incremental\",\n"
    "  \"run_id\": \"20261121T100000Z-1a2b\",\n"
    "  \"rows\": 1234,\n"
    "  \"duration_ms\": 5678,\n"
    "  \"files\": [\n"
    "    \"data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part1.parquet\",\n"
    "    \"data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part2.parquet\"\n"
    "  ],\n"
    "  \"schema_version\": \"0123456789abcdef\",\n"
    "  \"updated_at\": \"2026-11-21T10:00:05.678Z\"\n"
    "}\n";

static void test_golden_ct_and_round_trip(void **state)
{
    struct watermark wm, back;
    struct buf b;
    struct sl_err e;
    struct arena a;
    char path[512];
    bool found = true;
    FILE *f;
    char text[4096];
    size_t n;

    fill_ct(&wm);
    buf_init(&b, 0);
    sl_err_clear(&e);
    assert_int_equal(watermark_render(&wm, &b, &e), 0);
    assert_string_equal((char *)b.data, golden_ct);
    buf_free(&b);

    arena_init(&a, 0, 0);
    assert_int_equal(watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e), 0);
    assert_false(found); /* no file: no watermark, not an error */
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), 0);
    snprintf(path, sizeof path, "%s/watermarks/shop/dbo/orders/watermarks.json", (char *)*state);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_string_equal(text, golden_ct);
    assert_int_equal(watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e), 0);
    assert_true(found);
    assert_int_equal(back.pos.kind, WM_POS_CT);
    assert_int_equal(back.pos.version, 42);
    assert_int_equal(back.rows, 1234);
    assert_int_equal(back.nfiles, 2);
    assert_string_equal(back.files[1], files2[1]);
    assert_string_equal(back.run_id, wm.run_id);
    assert_string_equal(back.schema_version, wm.schema_version);
    assert_int_equal(back.mode, WM_MODE_INCREMENTAL);
    arena_free(&a);
}

static void test_cdc_exact_lsn_text(void **state)
{
    struct watermark wm, back;
    struct buf b;
    struct sl_err e;
    struct arena a;
    bool found;
    const char *golden = "{\n"
                         "  \"format_version\": 1,\n"
                         "  \"db\": \"shop\",\n"
                         "  \"schema\": \"dbo\",\n"
                         "  \"table\": \"orders\",\n"
                         "  \"capture\": \"cdc\",\n"
                         "  \"position\": {\n"
                         "    \"start_lsn\": \"0000002A000001B80003\",\n"
                         "    \"seqval\": \"0000002a000001b80002\"\n"
                         "  },\n"
                         "  \"mode\": \"full\",\n"
                         "  \"run_id\": \"r1\",\n"
                         "  \"rows\": 0,\n"
                         "  \"duration_ms\": 0,\n"
                         "  \"files\": [],\n"
                         "  \"schema_version\": null,\n"
                         "  \"updated_at\": \"2026-11-21T10:00:00.000Z\"\n"
                         "}\n";
    memset(&wm, 0, sizeof wm);
    wm.db = "shop";
    wm.schema = "dbo";
    wm.table = "orders";
    sl_err_clear(&e);
    assert_int_equal(
        watermark_pos_cdc(&wm.pos, "0x0000002A000001B80003", "0000002a000001b80002", &e), 0);
    wm.mode = WM_MODE_FULL;
    wm.run_id = "r1";
    wm.updated_at = "2026-11-21T10:00:00.000Z";
    buf_init(&b, 0);
    assert_int_equal(watermark_render(&wm, &b, &e), 0);
    assert_string_equal((char *)b.data, golden);
    buf_free(&b);
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), 0);
    arena_init(&a, 0, 0);
    assert_int_equal(watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e), 0);
    assert_true(found);
    assert_int_equal(back.pos.kind, WM_POS_CDC);
    assert_string_equal(back.pos.start_lsn, "0000002A000001B80003");
    assert_string_equal(back.pos.seqval, "0000002a000001b80002");
    assert_null(back.schema_version);
    assert_int_equal(back.nfiles, 0);
    arena_free(&a);
    /* Bad LSN text. */
    assert_int_equal(watermark_pos_cdc(&wm.pos, "0x2A", "0000002a000001b80002", &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "0x2A"));
}

static void test_positions_compare(void **state)
{
    struct watermark_pos n = {0}, a, b, c, d;
    (void)state;
    watermark_pos_ct(&a, 5);
    watermark_pos_ct(&b, 7);
    assert_int_equal(watermark_pos_cdc(&c, "0000002A000001B80003", "00000000000000000001", NULL),
                     0);
    assert_int_equal(watermark_pos_cdc(&d, "0000002a000001b80003", "00000000000000000002", NULL),
                     0);
    assert_true(watermark_pos_cmp(&a, &b) < 0);
    assert_true(watermark_pos_cmp(&b, &a) > 0);
    assert_true(watermark_pos_cmp(&n, &a) < 0);
    assert_int_equal(watermark_pos_cmp(&n, &n), 0);
    assert_true(watermark_pos_cmp(&c, &d) < 0); /* case-insensitive LSN, then seqval */
    assert_false(watermark_pos_comparable(&a, &c));
    assert_true(watermark_pos_comparable(&n, &c));
}

/* ct_begin_version: written only when known, read back, absent stays absent. */
static void test_ct_begin_version(void **state)
{
    struct watermark wm, back;
    struct buf b;
    struct sl_err e;
    struct arena a;
    bool found = false;

    fill_ct(&wm);
    wm.has_ct_begin = true;
    wm.ct_begin_version = 7;
    buf_init(&b, 0);
    sl_err_clear(&e);
    assert_int_equal(watermark_render(&wm, &b, &e), 0);
    assert_non_null(strstr((char *)b.data, "  \"updated_at\": \"2026-11-21T10:00:05.678Z\",\n"
                                           "  \"ct_begin_version\": 7\n}\n"));
    buf_free(&b);
    arena_init(&a, 0, 0);
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), 0);
    assert_int_equal(watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e), 0);
    assert_true(found);
    assert_true(back.has_ct_begin);
    assert_int_equal(back.ct_begin_version, 7);
    fill_ct(&wm); /* without it: the golden file, and nothing read back */
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), 0);
    assert_int_equal(watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e), 0);
    assert_false(back.has_ct_begin);
    arena_free(&a);
}

static void check_corrupt(const char *root, const char *text, int code, const char *needle)
{
    char path[512];
    struct watermark wm;
    struct arena a;
    struct sl_err e;
    bool found = true;
    snprintf(path, sizeof path, "%s/watermarks/shop/dbo/orders/watermarks.json", root);
    testutil_set_file(path, text);
    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    assert_int_equal(watermark_load(root, "shop", "dbo", "orders", &a, &wm, &found, &e), code);
    assert_false(found);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, needle));
    assert_non_null(
        strstr(e.hint, code == SL_ECORRUPT ? "full resync of shop.dbo.orders" : "full resync"));
    arena_free(&a);
}

static void test_corrupt_files(void **state)
{
    struct watermark wm;
    struct sl_err e;
    char good[4096];
    fill_ct(&wm);
    sl_err_clear(&e);
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), 0);
    check_corrupt(*state, "{\"format_version\": 1, \"db\": ", SL_ECORRUPT, "invalid JSON");
    check_corrupt(*state, "", SL_ECORRUPT, "invalid JSON");
    check_corrupt(*state, "[]", SL_ECORRUPT, "no format_version");
    check_corrupt(*state, "{\"format_version\": 2}", SL_EUNSUPPORTED, "newer sluice");
    snprintf(good, sizeof good, "%s", golden_ct);
    memcpy(strstr(good, "\"orders\""), "\"orderz\"", 8);
    check_corrupt(*state, good, SL_ECORRUPT, "another table");
    snprintf(good, sizeof good, "%s", golden_ct);
    memcpy(strstr(good, "\"ct\""), "\"xx\"", 4);
    check_corrupt(*state, good, SL_ECORRUPT, "capture or position");
    snprintf(good, sizeof good, "%s", golden_ct);
    memcpy(strstr(good, "42"), "\"4\"", 3);
    check_corrupt(*state, good, SL_ECORRUPT, "capture or position");
}

static void test_bad_names(void **state)
{
    struct watermark wm;
    struct sl_err e;
    fill_ct(&wm);
    wm.table = "../etc";
    sl_err_clear(&e);
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "shop.dbo.../etc"));
    fill_ct(&wm);
    wm.pos.kind = WM_POS_NONE;
    sl_err_clear(&e);
    assert_int_equal(watermark_store(NULL, *state, &wm, &e), SL_EINVAL);
}

static void test_watermark_alloc_sweep(void **state)
{
    struct watermark wm, back;
    int rc = SL_ENOMEM;
    fill_ct(&wm);
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        struct sl_err e;
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = watermark_store(NULL, *state, &wm, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
    }
    rc = SL_ENOMEM;
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        struct sl_err e;
        struct arena a;
        bool found;
        sl_err_clear(&e);
        arena_init(&a, 0, 0);
        sl_mem_fail_after(i);
        rc = watermark_load(*state, "shop", "dbo", "orders", &a, &back, &found, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
        if (rc == 0)
            assert_int_equal(back.pos.version, 42);
        arena_free(&a);
    }
}

/* ---- history ---- */

static void fill_hist(struct history_entry *h)
{
    memset(h, 0, sizeof *h);
    h->run_id = "r2";
    h->started_at = "2026-11-21T10:00:00.000Z";
    h->finished_at = "2026-11-21T10:00:05.678Z";
    h->status = HISTORY_OK;
    h->mode = WM_MODE_INCREMENTAL;
    watermark_pos_ct(&h->from, 41);
    watermark_pos_ct(&h->to, 42);
    h->inserts = 1;
    h->updates = 2;
    h->deletes = 3;
    h->files = files2;
    h->nfiles = 1;
    h->bytes = 4096;
}

static void test_history_golden_and_read(void **state)
{
    struct history_entry h, *back = NULL;
    struct buf b;
    struct sl_err e;
    struct arena a;
    size_t n = 9;
    char path[512];
    FILE *f;
    const char *golden =
        "{\"format_version\":1,\"run_id\":\"r2\",\"started_at\":\"2026-11-21T10:00:00.000Z\","
        "\"finished_at\":\"2026-11-21T10:00:05.678Z\",\"status\":\"ok\",\"mode\":\"incremental\","
        "\"from\":{\"version\":41},\"to\":{\"version\":42},"
        "\"rows\":{\"inserts\":1,\"updates\":2,\"deletes\":3},"
        "\"files\":[\"data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part1.parquet\"],"
        "\"bytes\":4096,\"error\":null}";

    fill_hist(&h);
    buf_init(&b, 0);
    sl_err_clear(&e);
    assert_int_equal(history_render(&h, &b, &e), 0);
    assert_string_equal((char *)b.data, golden);
    buf_free(&b);

    arena_init(&a, 0, 0);
    assert_int_equal(history_read(*state, "shop", "dbo", "orders", &a, &back, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(history_append(NULL, *state, "shop", "dbo", "orders", &h, &e), 0);
    h.run_id = "r3";
    h.status = HISTORY_FAILED;
    h.mode = WM_MODE_FULL;
    h.from.kind = WM_POS_NONE;
    h.to.kind = WM_POS_NONE;
    h.nfiles = 0;
    h.error = "cannot connect to \"db1\": login failed\n\tfor user \"etl\"";
    assert_int_equal(history_append(NULL, *state, "shop", "dbo", "orders", &h, &e), 0);
    /* A torn third line from a crash is invisible to readers. */
    snprintf(path, sizeof path, "%s/watermarks/shop/dbo/orders/sync_history.jsonl", (char *)*state);
    f = fopen(path, "ab");
    fputs("{\"format_version\":1,\"run_id\":\"r4\"", f);
    fclose(f);
    assert_int_equal(history_read(*state, "shop", "dbo", "orders", &a, &back, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(back[0].run_id, "r2");
    assert_int_equal(back[0].to.version, 42);
    assert_int_equal(back[0].deletes, 3);
    assert_int_equal(back[0].nfiles, 1);
    assert_null(back[0].error);
    assert_string_equal(back[1].run_id, "r3");
    assert_int_equal(back[1].status, HISTORY_FAILED);
    assert_int_equal(back[1].from.kind, WM_POS_NONE);
    assert_string_equal(back[1].error, h.error);
    /* The next append cuts the torn tail. */
    h.run_id = "r5";
    assert_int_equal(history_append(NULL, *state, "shop", "dbo", "orders", &h, &e), 0);
    assert_int_equal(history_read(*state, "shop", "dbo", "orders", &a, &back, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(back[2].run_id, "r5");
    /* A malformed complete line is an error naming the line. */
    f = fopen(path, "ab");
    fputs("{\"format_version\":1}\n", f);
    fclose(f);
    sl_err_clear(&e);
    assert_int_equal(history_read(*state, "shop", "dbo", "orders", &a, &back, &n, &e), SL_ECORRUPT);
    assert_non_null(strstr(e.msg, "line 4"));
    assert_non_null(strstr(e.msg, path));
    arena_free(&a);
}

static void test_clock(void **state)
{
    char out[CLOCK_ISO_LEN];
    (void)state;
    assert_string_equal(clock_iso8601(1795255205678, out), "2026-11-21T10:00:05.678Z");
    assert_string_equal(clock_iso8601(-1, out), "1969-12-31T23:59:59.999Z");
    assert_true(clock_now_ms() > 1700000000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_golden_ct_and_round_trip, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cdc_exact_lsn_text, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test(test_positions_compare),
        cmocka_unit_test_setup_teardown(test_ct_begin_version, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_names, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_watermark_alloc_sweep, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_history_golden_and_read, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test(test_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
