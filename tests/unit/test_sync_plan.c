/*
 * Unit tests for src/engine/plan.c and retry.c: every rule of the plan
 * (spec/ct-cdc.md §A3/§A9) with its exact reason or error text, and the
 * transient/permanent split and backoff bounds of the retry policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "engine/plan.h"
#include "engine/retry.h"

static struct plan_input base(enum config_mode mode)
{
    struct plan_input in = {.table = "shop.dbo.orders", .quoted = "[dbo].[orders]", .db = "shop",
                            .mode = mode, .db_tracked = true, .table_tracked = true,
                            .current = 50, .min_valid = 10};
    return in;
}

static void full_mode_ignores_tracking(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.db_tracked = in.table_tracked = false;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_false(p.reload);
    assert_string_equal(p.reason, "mode full reloads the whole table every run");
}

static void first_load(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_false(p.reload);
    assert_string_equal(p.reason, "no watermark yet: initial full load at version 50");
}

static void incremental_needs_watermark(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    assert_int_equal(plan_decide(&in, &p, &e), SL_ESTATE);
    assert_string_equal(e.msg, "table shop.dbo.orders has no watermark, and mode incremental "
                               "never loads a table in full");
    assert_non_null(strstr(e.hint, "full_incremental"));
}

static void valid_watermark(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.have_watermark = true;
    in.watermark = 10; /* equal to min valid: still valid (§A3) */
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_INCREMENTAL);
    assert_string_equal(p.reason,
                        "changes after watermark version 10 up to version 50 (minimum valid 10)");
    in.watermark = 50;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_INCREMENTAL);
    assert_string_equal(p.reason, "watermark version 50 is current: nothing changed in the database");
}

static void stale_watermark(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.have_watermark = true;
    in.watermark = 9;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_true(p.reload);
    assert_string_equal(p.reason,
                        "watermark version 9 is older than the minimum valid version 10 (change "
                        "retention passed it, or the table was truncated or re-enabled): full "
                        "resync");
    in.mode = CONFIG_MODE_INCREMENTAL;
    assert_int_equal(plan_decide(&in, &p, &e), SL_ESTATE);
    assert_non_null(strstr(e.msg, "table shop.dbo.orders: watermark version 9 is older than"));
    assert_non_null(strstr(e.msg, "mode incremental never reloads"));
}

static void key_change_forces_full(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.have_watermark = true;
    in.watermark = 20;
    in.pk_changed = true;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_true(p.reload);
    assert_string_equal(p.reason, "the primary key changed since the watermark (version 20): "
                                  "full resync");
}

static void tracking_reset_forces_full(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.have_watermark = true;
    in.watermark = 50; /* TRUNCATE right after the last sync: min valid == watermark */
    in.min_valid = 50;
    in.tracking_reset = true;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_true(p.reload);
    assert_string_equal(p.reason, "change tracking of the table was reset after watermark version "
                                  "50 (TRUNCATE TABLE, or tracking disabled and enabled again): "
                                  "full resync");
    in.mode = CONFIG_MODE_INCREMENTAL;
    assert_int_equal(plan_decide(&in, &p, &e), SL_ESTATE);
}

static void watermark_ahead_of_database(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.have_watermark = true;
    in.watermark = 60;
    assert_int_equal(plan_decide(&in, &p, &e), 0);
    assert_int_equal(p.kind, PLAN_FULL);
    assert_true(p.reload);
    assert_non_null(strstr(p.reason, "ahead of the database's current version 50"));
}

static void tracking_off(void **state)
{
    (void)state;
    struct plan_input in = base(CONFIG_MODE_FULL_INCREMENTAL);
    struct plan p;
    struct sl_err e;
    sl_err_clear(&e);
    in.db_tracked = false;
    assert_int_equal(plan_decide(&in, &p, &e), SL_ESTATE);
    assert_string_equal(e.msg, "table shop.dbo.orders: change tracking is not enabled on "
                               "database shop");
    assert_non_null(strstr(e.hint, "ALTER DATABASE [shop] SET CHANGE_TRACKING = ON"));
    sl_err_clear(&e);
    in.db_tracked = true;
    in.table_tracked = false;
    assert_int_equal(plan_decide(&in, &p, &e), SL_ESTATE);
    assert_string_equal(e.msg, "table shop.dbo.orders: change tracking is not enabled on the "
                               "table");
    assert_non_null(strstr(e.hint, "ALTER TABLE [dbo].[orders] ENABLE CHANGE_TRACKING"));
}

static void transient_split(void **state)
{
    (void)state;
    struct sl_err e;
    sl_err_clear(&e);
    assert_false(retry_transient(&e));
    e.code = SL_ECLOSED; /* 08S01 link failure */
    assert_true(retry_transient(&e));
    e.code = SL_EBUSY;
    e.source_code = 1205; /* deadlock victim */
    assert_true(retry_transient(&e));
    e.code = SL_ECONNECT;
    e.source_code = 40613; /* Azure: database not available */
    assert_true(retry_transient(&e));
    e.code = SL_EAUTH;
    e.source_code = 18456;
    assert_false(retry_transient(&e));
    e.code = SL_ESQL;
    e.source_code = 208;
    assert_false(retry_transient(&e));
    e.code = SL_ECONNECT; /* even if classified as a connection failure */
    e.source_code = 18456;
    assert_false(retry_transient(&e));
}

static void backoff_bounds(void **state)
{
    (void)state;
    struct retry_policy p;
    uint64_t seed = 42;
    retry_policy_default(&p);
    assert_int_equal(p.attempts, 4);
    for (int i = 0; i < 200; i++) {
        int d2 = retry_delay_ms(&p, 2, &seed), d3 = retry_delay_ms(&p, 3, &seed),
            d4 = retry_delay_ms(&p, 4, &seed), d20 = retry_delay_ms(&p, 20, &seed);
        assert_in_range(d2, 500, 1000);
        assert_in_range(d3, 1000, 2000);
        assert_in_range(d4, 2000, 4000);
        assert_in_range(d20, 15000, 30000);
    }
    p.base_ms = 0;
    assert_int_equal(retry_delay_ms(&p, 3, &seed), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_mode_ignores_tracking),
        cmocka_unit_test(first_load),
        cmocka_unit_test(incremental_needs_watermark),
        cmocka_unit_test(valid_watermark),
        cmocka_unit_test(stale_watermark),
        cmocka_unit_test(key_change_forces_full),
        cmocka_unit_test(tracking_reset_forces_full),
        cmocka_unit_test(watermark_ahead_of_database),
        cmocka_unit_test(tracking_off),
        cmocka_unit_test(transient_split),
        cmocka_unit_test(backoff_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
