/* Unit tests for src/source/odbc: diagnostic classification (transient vs
 * permanent) and the error a failed connection produces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "source/odbc.h"

static void check(const char *state, long native, int code, bool transient)
{
    bool tr = !transient;
    assert_int_equal(odbc_classify(state, native, &tr), code);
    assert_int_equal(tr, transient);
}

static void test_transient(void **state)
{
    (void)state;
    check("08S01", 0, SL_ECLOSED, true);    /* communication link failure */
    check("08001", 0, SL_ECONNECT, true);   /* cannot connect */
    check("HYT00", 0, SL_ETIMEOUT, true);   /* query timeout */
    check("HYT01", 0, SL_ETIMEOUT, true);   /* connection timeout */
    check("40001", 1205, SL_EBUSY, true);   /* deadlock victim */
    check("40001", 0, SL_EBUSY, true);
    check("42000", 40197, SL_ECONNECT, true);
    check("42000", 40501, SL_EBUSY, true);
    check("42000", 40613, SL_ECONNECT, true);
    check("42000", 49918, SL_EBUSY, true);
    check("42000", 49919, SL_EBUSY, true);
    check("42000", 49920, SL_EBUSY, true);
    check("42000", 4060, SL_ECONNECT, true);
    check("HY000", 1222, SL_EBUSY, true);
    /* FreeTDS's client-side link failures, also under the warning state. */
    check("01000", 20017, SL_ECLOSED, true); /* unexpected EOF from the server */
    check("08S01", 20004, SL_ECLOSED, true); /* read from the server failed */
    check("01000", 20006, SL_ECLOSED, true); /* write to the server failed */
    check("HYT00", 20003, SL_ETIMEOUT, true);
    check("01000", 20047, SL_ECLOSED, true); /* dead connection */
}

static void test_permanent(void **state)
{
    (void)state;
    check("42S02", 208, SL_ESQL, false);    /* invalid object name */
    check("42000", 229, SL_ESQL, false);    /* permission denied */
    check("42000", 102, SL_ESQL, false);    /* syntax */
    check("28000", 18456, SL_EAUTH, false); /* login failed */
    check("42000", 18456, SL_EAUTH, false);
    check("08004", 0, SL_ECONNECT, false);  /* server rejected the connection */
    check("22003", 8115, SL_ECONVERT, false);
    check("HY000", 22105, SL_ESQL, false);  /* CT not enabled on the table */
    check(NULL, 0, SL_ESQL, false);
}

static void test_err_transient(void **state)
{
    struct sl_err e;
    (void)state;
    sl_err_clear(&e);
    assert_false(odbc_err_transient(&e));
    sl_err_set(&e, SL_ECLOSED, "x");
    assert_true(odbc_err_transient(&e));
    sl_err_clear(&e);
    sl_err_set(&e, SL_ESQL, "x");
    assert_false(odbc_err_transient(&e));
    assert_false(odbc_err_transient(NULL));
}

/* Nothing listens on port 1 of localhost: the driver reports 08001 (Microsoft)
 * or 08S01 (FreeTDS), which must surface as a transient SL_ECONNECT naming
 * the target, with a hint about server and port. */
static void test_connect_refused(void **state)
{
    struct odbc_options opt = {.login_timeout_s = 5, .query_timeout_s = 5};
    struct odbc_conn *c = (struct odbc_conn *)1;
    struct sl_err err;
    int rc;
    (void)state;
    sl_err_clear(&err);
    rc = odbc_open("Driver={FreeTDS};Server=127.0.0.1;Port=1;UID=sa;PWD={x};TDS_Version=7.4",
                   "server 127.0.0.1:1", &opt, &c, &err);
    assert_null(c);
    if (rc == SL_ESQL && strstr(err.detail, "IM00") != NULL)
        skip(); /* the FreeTDS driver is not registered on this machine */
    assert_int_equal(rc, SL_ECONNECT);
    assert_true(odbc_err_transient(&err));
    assert_non_null(strstr(err.msg, "cannot connect to server 127.0.0.1:1"));
    assert_non_null(strstr(err.detail, "SQLSTATE 08"));
    assert_non_null(strstr(err.hint, "connection.server"));
    assert_null(strstr(err.msg, "PWD"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_permanent),
        cmocka_unit_test(test_err_transient),
        cmocka_unit_test(test_connect_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
