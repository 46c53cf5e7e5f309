/* Unit tests for src/state/orphan.c: every rule of the classification table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "state/orphan.h"

static struct watermark_pos ct(int64_t v)
{
    struct watermark_pos p;
    watermark_pos_ct(&p, v);
    return p;
}

static struct watermark_pos cdc(const char *lsn)
{
    struct watermark_pos p;
    assert_int_equal(watermark_pos_cdc(&p, lsn, "00000000000000000001", NULL), 0);
    return p;
}

#define F(path, run, from, to, part, last)                                                         \
    {                                                                                              \
        path, true, run, from, to, part, last                                                      \
    }

struct want {
    enum orphan_class cls;
    const char *reason;
};

static void check(const struct orphan_file *files, size_t n, const struct orphan_verdict *v,
                  const struct want *w)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].cls != w[i].cls || strcmp(v[i].reason, w[i].reason) != 0)
            fail_msg("%s: got %s (%s), want %s (%s)", files[i].path, orphan_class_name(v[i].cls),
                     v[i].reason, orphan_class_name(w[i].cls), w[i].reason);
    }
}

static void test_table_with_watermark(void **state)
{
    static const char *wm_files[] = {"d/r3_1.parquet"};
    static const char *ok[] = {"r1", "r2", "r3", "r9"};
    struct watermark wm = {.db = "shop",
                           .schema = "dbo",
                           .table = "orders",
                           .run_id = "r3",
                           .files = wm_files,
                           .nfiles = 1};
    struct watermark_pos none = {0};
    const struct orphan_file files[] = {
        {"d/.x.parquet.tmp.1.2", false, NULL, {0}, {0}, 0, false},
        {"d/foreign.parquet", false, NULL, {0}, {0}, 0, false},
        F("d/r3_1.parquet", "r3", ct(8), ct(10), 1, false),
        F("d/r3_2.parquet", "r3", ct(8), ct(10), 2, true),
        F("d/r2_1.parquet", "r2", ct(5), ct(8), 1, true),
        F("d/r0_1.parquet", "r0", ct(1), ct(4), 1, true),
        F("d/cdc.parquet", "rc", cdc("0000002A000001B80003"), cdc("0000002A000001B80004"), 1, true),
        F("d/cdc_ok.parquet", "r1", none, cdc("0000002A000001B80003"), 1, true),
        F("d/r9_1.parquet", "r9", ct(10), ct(12), 1, true),
        F("d/r4_1.parquet", "r4", ct(10), ct(15), 1, false),
        F("d/r4_2.parquet", "r4", ct(10), ct(15), 2, true),
        F("d/r5_1.parquet", "r5", ct(10), ct(13), 1, true),
        F("d/r6_2.parquet", "r6", ct(10), ct(20), 2, true),
        F("d/r7_1.parquet", "r7", ct(11), ct(14), 1, true),
        F("d/r8_1.parquet", "r8", none, ct(30), 1, true),
    };
    const struct want w[] = {
        {ORPHAN_TEMP, "temporary file of an interrupted write"},
        {ORPHAN_KEEP, "no sluice metadata in the footer"},
        {ORPHAN_COMMITTED, "written by the run of the watermark"},
        {ORPHAN_COMMITTED, "written by the run of the watermark"},
        {ORPHAN_COMMITTED, "run recorded ok in the history"},
        {ORPHAN_KEEP, "covered by the watermark but its run is not recorded ok in the history"},
        {ORPHAN_KEEP, "range not comparable with the watermark"},
        {ORPHAN_COMMITTED, "run recorded ok in the history"},
        {ORPHAN_KEEP, "run recorded ok in the history but ends after the watermark"},
        {ORPHAN_ADOPT, "complete run starting at the watermark"},
        {ORPHAN_ADOPT, "complete run starting at the watermark"},
        {ORPHAN_REMOVE, "superseded by a later complete run"},
        {ORPHAN_REMOVE, "incomplete run starting at the watermark"},
        {ORPHAN_REMOVE, "after the watermark and not starting at it"},
        {ORPHAN_REMOVE, "after the watermark and not starting at it"},
    };
    size_t n = sizeof files / sizeof *files;
    struct orphan_verdict v[sizeof files / sizeof *files];
    struct orphan_adoption ad;
    struct sl_err e;
    (void)state;
    wm.pos = ct(10);
    sl_err_clear(&e);
    assert_int_equal(orphan_classify(&wm, ok, 4, files, n, v, &ad, &e), 0);
    check(files, n, v, w);
    assert_string_equal(ad.run_id, "r4");
    assert_int_equal(ad.to.version, 15);
    assert_int_equal(ad.nfiles, 2);
}

static void test_no_watermark_and_ties(void **state)
{
    struct watermark_pos none = {0};
    const struct orphan_file files[] = {
        F("d/a_1.parquet", "a", none, ct(7), 1, true),
        F("d/b_1.parquet", "b", none, ct(7), 1, false),
        F("d/b_2.parquet", "b", none, ct(7), 2, true),
        F("d/inc.parquet", "i", ct(3), ct(5), 1, true),
        F("d/inc_ok.parquet", "k", ct(3), ct(5), 1, true),
    };
    const struct want w[] = {
        {ORPHAN_REMOVE, "superseded by a later complete run"},
        {ORPHAN_ADOPT, "complete run starting at the watermark"},
        {ORPHAN_ADOPT, "complete run starting at the watermark"},
        {ORPHAN_KEEP, "range not comparable with the watermark"},
        {ORPHAN_COMMITTED, "run recorded ok in the history"},
    };
    static const char *ok[] = {"k"};
    struct orphan_verdict v[5];
    struct orphan_adoption ad;
    struct sl_err e;
    (void)state;
    sl_err_clear(&e);
    assert_int_equal(orphan_classify(NULL, ok, 1, files, 5, v, &ad, &e), 0);
    check(files, 5, v, w);
    assert_string_equal(ad.run_id, "b"); /* same to: the greater run_id wins */
    assert_int_equal(ad.nfiles, 2);
}

static void test_incomplete_runs(void **state)
{
    /* Each run is broken in one way; none is adopted. */
    const struct orphan_file files[] = {
        F("d/dup_1a.parquet", "dup", ct(10), ct(12), 1, false),
        F("d/dup_1b.parquet", "dup", ct(10), ct(12), 1, true), /* part 1 twice */
        F("d/two_1.parquet", "two", ct(10), ct(12), 1, true),
        F("d/two_2.parquet", "two", ct(10), ct(12), 2, true), /* two lasts */
        F("d/mid_1.parquet", "mid", ct(10), ct(12), 1, true),
        F("d/mid_2.parquet", "mid", ct(10), ct(12), 2, false), /* last is not the highest */
        F("d/mix_1.parquet", "mix", ct(10), ct(12), 1, false),
        F("d/mix_2.parquet", "mix", ct(10), ct(13), 2, true), /* ranges differ */
        F("d/nolast.parquet", "nolast", ct(10), ct(12), 1, false),
        F("d/zero.parquet", "zero", ct(10), ct(12), 0, true),
    };
    struct watermark wm = {.run_id = "r0"};
    struct orphan_verdict v[10];
    struct orphan_adoption ad;
    struct sl_err e;
    (void)state;
    wm.pos = ct(10);
    sl_err_clear(&e);
    assert_int_equal(orphan_classify(&wm, NULL, 0, files, 10, v, &ad, &e), 0);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(v[i].cls, ORPHAN_REMOVE);
        assert_string_equal(v[i].reason, "incomplete run starting at the watermark");
    }
    assert_null(ad.run_id);
    assert_int_equal(ad.nfiles, 0);
}

static void test_cdc_adoption_and_errors(void **state)
{
    struct watermark wm = {.run_id = "r0"};
    const struct orphan_file files[] = {
        F("d/c1.parquet", "c1", cdc("0000002A000001B80003"), cdc("0000002A000001B80009"), 1, true),
    };
    const struct orphan_file bad[] = {{"d/x.parquet", true, NULL, {0}, {0}, 1, true}};
    struct orphan_verdict v[1];
    struct orphan_adoption ad;
    struct sl_err e;
    int rc = SL_ENOMEM;
    (void)state;
    wm.pos = cdc("0000002a000001b80003"); /* case differs: same LSN */
    sl_err_clear(&e);
    assert_int_equal(orphan_classify(&wm, NULL, 0, files, 1, v, &ad, &e), 0);
    assert_int_equal(v[0].cls, ORPHAN_ADOPT);
    assert_string_equal(ad.to.start_lsn, "0000002A000001B80009");
    assert_int_equal(orphan_classify(&wm, NULL, 0, bad, 1, v, &ad, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "d/x.parquet"));
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = orphan_classify(&wm, NULL, 0, files, 1, v, &ad, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
    }
    assert_string_equal(orphan_class_name(ORPHAN_KEEP), "keep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_with_watermark),
        cmocka_unit_test(test_no_watermark_and_ties),
        cmocka_unit_test(test_incomplete_runs),
        cmocka_unit_test(test_cdc_adoption_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
