/* Unit tests for src/state/schema.c and manifest.c: hash stability, history, golden YAML. */
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
#include "state/manifest.h"
#include "state/schema.h"
#include "testutil.h"

static const struct schema_column cols3[] = {
    {"id", "int", false, 1},
    {"amount", "DECIMAL(10, 2)", true, 2},
    {"note", "nvarchar(100)", true, 3},
};
static const char *pk_id[] = {"id"};

static void test_hash_stability(void **state)
{
    struct schema_column shuffled[3] = {cols3[2], cols3[0], cols3[1]};
    struct schema_column moved[3] = {cols3[0], cols3[1], cols3[2]};
    struct schema_column renull[3] = {cols3[0], cols3[1], cols3[2]};
    const char *pk2[] = {"id", "note"}, *pk2r[] = {"note", "id"};
    char h1[17], h2[17], h3[17];
    struct sl_err e;
    (void)state;
    sl_err_clear(&e);
    assert_int_equal(schema_hash(cols3, 3, pk_id, 1, h1, &e), 0);
    /* Frozen value: any change to the canonical form breaks this on purpose. */
    assert_string_equal(h1, "01e5fd97a215fb3f");
    assert_int_equal(schema_hash(shuffled, 3, pk_id, 1, h2, &e), 0);
    assert_string_equal(h1, h2); /* listing order is irrelevant */
    moved[1].ordinal = 3;
    moved[2].ordinal = 2;
    assert_int_equal(schema_hash(moved, 3, pk_id, 1, h3, &e), 0);
    assert_string_not_equal(h1, h3); /* ordinal matters */
    renull[2].nullable = false;
    assert_int_equal(schema_hash(renull, 3, pk_id, 1, h3, &e), 0);
    assert_string_not_equal(h1, h3);
    assert_int_equal(schema_hash(cols3, 3, pk2, 2, h2, &e), 0);
    assert_int_equal(schema_hash(cols3, 3, pk2r, 2, h3, &e), 0);
    assert_string_not_equal(h2, h3); /* key order matters */
    assert_string_not_equal(h1, h2);
    /* Type spelling is normalised. */
    moved[0] = cols3[0];
    moved[1] = cols3[1];
    moved[2] = cols3[2];
    moved[1].sql_type = "decimal(10,2)";
    assert_int_equal(schema_hash(moved, 3, pk_id, 1, h3, &e), 0);
    assert_string_equal(h1, h3);
}

static void test_hash_rejects_bad_input(void **state)
{
    struct schema_column dup[2] = {{"a", "int", false, 1}, {"b", "int", false, 1}};
    struct schema_column dupn[2] = {{"a", "int", false, 1}, {"a", "int", false, 2}};
    const char *pkx[] = {"x"};
    char h[17];
    struct sl_err e;
    (void)state;
    sl_err_clear(&e);
    assert_int_equal(schema_hash(dup, 2, NULL, 0, h, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "share ordinal 1"));
    sl_err_clear(&e);
    assert_int_equal(schema_hash(dupn, 2, NULL, 0, h, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "\"a\" is listed twice"));
    sl_err_clear(&e);
    assert_int_equal(schema_hash(cols3, 3, pkx, 1, h, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "\"x\""));
}

static const char *golden_schema = "{\n"
                                   "  \"format_version\": 1,\n"
                                   "  \"versions\": [\n"
                                   "    {\n"
                                   "      \"schema_version\": \"01e5fd97a215fb3f\",\n"
                                   "      \"first_seen_at\": \"2026-11-21T10:00:00.000Z\",\n"
                                   "      \"columns\": [\n"
                                   "        {\n"
                                   "          \"name\": \"id\",\n"
                                   "          \"sql_type\": \"int\",\n"
                                   "          \"nullable\": false,\n"
                                   "          \"ordinal\": 1\n"
                                   "        },\n"
                                   "        {\n"
                                   "          \"name\": \"amount\",\n"
                                   "          \"sql_type\": \"decimal(10,2)\",\n"
                                   "          \"nullable\": true,\n"
                                   "          \"ordinal\": 2\n"
                                   "        },\n"
                                   "        {\n"
                                   "          \"name\": \"note\",\n"
                                   "          \"sql_type\": \"nvarchar(100)\",\n"
                                   "          \"nullable\": true,\n"
                                   "          \"ordinal\": 3\n"
                                   "        }\n"
                                   "      ],\n"
                                   "      \"primary_key\": [\n"
                                   "        \"id\"\n"
                                   "      ]\n"
                                   "    }\n"
                                   "  ]\n"
                                   "}\n";

static void test_track_history(void **state)
{
    struct schema_column v2[3] = {{"id", "bigint", false, 1},
                                  {"note", "nvarchar(100)", true, 3},
                                  {"created", "datetime2(7)", false, 4}};
    const char *pk2[] = {"id", "created"};
    struct schema_change ch;
    struct sl_err e;
    struct arena a;
    char ver[17], path[512], *s;

    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    snprintf(path, sizeof path, "%s/schema.json", (char *)*state);
    assert_int_equal(schema_track(NULL, *state, cols3, 3, pk_id, 1, "2026-11-21T10:00:00.000Z", &a,
                                  ver, &ch, &e),
                     0);
    assert_true(ch.changed && ch.first);
    assert_string_equal(ver, "01e5fd97a215fb3f");
    s = testutil_get_file(path);
    assert_string_equal(s, golden_schema);
    free(s);
    /* Same columns again: nothing appended. */
    assert_int_equal(schema_track(NULL, *state, cols3, 3, pk_id, 1, "2026-11-22T00:00:00.000Z", &a,
                                  ver, &ch, &e),
                     0);
    assert_false(ch.changed);
    s = testutil_get_file(path);
    assert_string_equal(s, golden_schema);
    free(s);
    /* Retype id, drop amount, add created: reported by name. */
    assert_int_equal(
        schema_track(NULL, *state, v2, 3, pk_id, 1, "2026-11-23T00:00:00.000Z", &a, ver, &ch, &e),
        0);
    assert_true(ch.changed);
    assert_false(ch.first);
    assert_int_equal(ch.nadded, 1);
    assert_string_equal(ch.added[0], "created");
    assert_int_equal(ch.ndropped, 1);
    assert_string_equal(ch.dropped[0], "amount");
    assert_int_equal(ch.nretyped, 1);
    assert_string_equal(ch.retyped[0], "id");
    assert_false(ch.pk_changed);
    /* Primary key change. */
    assert_int_equal(
        schema_track(NULL, *state, v2, 3, pk2, 2, "2026-11-24T00:00:00.000Z", &a, ver, &ch, &e), 0);
    assert_true(ch.changed && ch.pk_changed);
    assert_int_equal(ch.nadded + ch.ndropped + ch.nretyped, 0);
    /* Back to the first shape: appended again (the file is a timeline). */
    assert_int_equal(schema_track(NULL, *state, cols3, 3, pk_id, 1, "2026-11-25T00:00:00.000Z", &a,
                                  ver, &ch, &e),
                     0);
    assert_true(ch.changed && ch.pk_changed);
    assert_string_equal(ver, "01e5fd97a215fb3f");
    s = testutil_get_file(path);
    assert_non_null(strstr(s, "2026-11-25T00:00:00.000Z"));
    assert_non_null(strstr(s, "2026-11-21T10:00:00.000Z")); /* history kept */
    free(s);
    arena_free(&a);
}

static void test_track_corrupt_and_sweep(void **state)
{
    struct schema_change ch;
    struct sl_err e;
    struct arena a;
    char ver[17], path[512];
    FILE *f;
    int rc = SL_ENOMEM;

    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        arena_init(&a, 0, 0);
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = schema_track(NULL, *state, cols3, 3, pk_id, 1, "2026-11-21T10:00:00.000Z", &a, ver,
                          &ch, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
        arena_free(&a);
    }
    snprintf(path, sizeof path, "%s/schema.json", (char *)*state);
    f = fopen(path, "wb");
    fputs("{\"format_version\": 1, \"versions\": [{\"schema_version\": 3}]}", f);
    fclose(f);
    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    assert_int_equal(schema_track(NULL, *state, cols3, 3, pk_id, 1, "x", &a, ver, &ch, &e),
                     SL_ECORRUPT);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "version 1"));
    assert_non_null(strstr(e.hint, "move the file away"));
    arena_free(&a);
}

/* ---- manifest ---- */

static const char *golden_yaml =
    "# sluice output manifest: every table sluice lands, rewritten after each run.\n"
    "# Generated; edits are overwritten.\n"
    "format_version: 1\n"
    "updated_at: \"2026-11-21T10:00:06.000Z\"\n"
    "tables:\n"
    "  - db: \"shop\"\n"
    "    schema: \"dbo\"\n"
    "    table: \"customers\"\n"
    "    uc_catalog: null\n"
    "    uc_schema: null\n"
    "    output_format: \"per_table\"\n"
    "    scd_type: 2\n"
    "    soft_delete: true\n"
    "    primary_keys:\n"
    "      - \"id\"\n"
    "      - \"region\"\n"
    "    schema_version: null\n"
    "    watermark:\n"
    "      capture: \"cdc\"\n"
    "      start_lsn: \"0000002A000001B80003\"\n"
    "      seqval: \"0000002A000001B80001\"\n"
    "    files: []\n"
    "    updated_at: null\n"
    "  - db: \"shop\"\n"
    "    schema: \"dbo\"\n"
    "    table: \"orders\"\n"
    "    uc_catalog: \"main\"\n"
    "    uc_schema: \"bronze \\\"raw\\\"\\n\"\n"
    "    output_format: \"per_table\"\n"
    "    scd_type: 1\n"
    "    soft_delete: false\n"
    "    primary_keys:\n"
    "      - \"id\"\n"
    "    schema_version: \"01e5fd97a215fb3f\"\n"
    "    watermark:\n"
    "      capture: \"ct\"\n"
    "      version: 42\n"
    "    files:\n"
    "      - \"data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part1.parquet\"\n"
    "    updated_at: \"2026-11-21T10:00:05.678Z\"\n"
    "  - db: \"\xC3\xA9t\xC3\xA9\"\n"
    "    schema: \"s\"\n"
    "    table: \"t\\x01\\L\"\n"
    "    uc_catalog: null\n"
    "    uc_schema: null\n"
    "    output_format: \"unified\"\n"
    "    scd_type: 1\n"
    "    soft_delete: false\n"
    "    primary_keys: []\n"
    "    schema_version: null\n"
    "    watermark: null\n"
    "    files: []\n"
    "    updated_at: null\n";

static void fill_manifest(struct manifest_entry *m)
{
    static const char *pk2[] = {"id", "region"};
    static const char *files[] = {
        "data/shop/dbo/orders/2026-11-21/dbo_orders_20261121T100000_part1.parquet"};
    memset(m, 0, 3 * sizeof *m);
    /* Given out of order on purpose. */
    m[0].db = "\xC3\xA9t\xC3\xA9";
    m[0].schema = "s";
    m[0].table = "t\x01\xE2\x80\xA8";
    m[0].output_format = "unified";
    m[0].scd_type = 1;
    m[1].db = "shop";
    m[1].schema = "dbo";
    m[1].table = "orders";
    m[1].uc_catalog = "main";
    m[1].uc_schema = "bronze \"raw\"\n";
    m[1].output_format = "per_table";
    m[1].scd_type = 1;
    m[1].primary_keys = pk_id;
    m[1].nprimary_keys = 1;
    m[1].schema_version = "01e5fd97a215fb3f";
    watermark_pos_ct(&m[1].watermark, 42);
    m[1].files = files;
    m[1].nfiles = 1;
    m[1].updated_at = "2026-11-21T10:00:05.678Z";
    m[2].db = "shop";
    m[2].schema = "dbo";
    m[2].table = "customers";
    m[2].output_format = "per_table";
    m[2].scd_type = 2;
    m[2].soft_delete = true;
    m[2].primary_keys = pk2;
    m[2].nprimary_keys = 2;
    assert_int_equal(
        watermark_pos_cdc(&m[2].watermark, "0000002A000001B80003", "0000002A000001B80001", NULL),
        0);
}

static void test_manifest_golden(void **state)
{
    struct manifest_entry m[3];
    struct sl_err e;
    struct buf b;
    char path[512], *s;
    int rc = SL_ENOMEM;

    fill_manifest(m);
    buf_init(&b, 0);
    sl_err_clear(&e);
    assert_int_equal(manifest_render(m, 3, "2026-11-21T10:00:06.000Z", &b, &e), 0);
    assert_string_equal((char *)b.data, golden_yaml);
    buf_free(&b);
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = manifest_write(NULL, *state, m, 3, "2026-11-21T10:00:06.000Z", &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
    }
    snprintf(path, sizeof path, "%s/output.yaml", (char *)*state);
    s = testutil_get_file(path);
    assert_string_equal(s, golden_yaml);
    free(s);
    buf_init(&b, 0);
    assert_int_equal(manifest_render(NULL, 0, "2026-11-21T10:00:06.000Z", &b, &e), 0);
    assert_non_null(strstr((char *)b.data, "tables: []\n"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_stability),
        cmocka_unit_test(test_hash_rejects_bad_input),
        cmocka_unit_test_setup_teardown(test_track_history, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_track_corrupt_and_sweep, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_manifest_golden, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
