/* Unit tests for src/state/lock.c: contention between processes, release on SIGKILL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "state/lock.h"
#include "testutil.h"

/* Fork a child that takes the lock, reports on a pipe, then sleeps until killed. */
static pid_t child_holding(const char *root)
{
    int p[2];
    char c = 0;
    pid_t pid;
    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct table_lock *l = NULL;
        struct sl_err e;
        sl_err_clear(&e);
        close(p[0]);
        c = lock_open(NULL, root, "shop", "dbo", "orders", "2026-11-21T10:00:00.000Z", &l, &e) == 0
                ? 'y'
                : 'n';
        if (write(p[1], &c, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_int_equal(c, 'y');
    return pid;
}

static void test_contention_and_sigkill(void **state)
{
    struct table_lock *l = NULL;
    struct sl_err e;
    char want[256];
    int status;
    pid_t pid = child_holding(*state);

    sl_err_clear(&e);
    assert_int_equal(
        lock_open(NULL, *state, "shop", "dbo", "orders", "2026-11-21T10:00:01.000Z", &l, &e),
        SL_EBUSY);
    assert_null(l);
    snprintf(want, sizeof want, "table shop.dbo.orders is being synced by pid %ld on host ",
             (long)pid);
    assert_non_null(strstr(e.msg, want));
    assert_non_null(strstr(e.msg, " since 2026-11-21T10:00:00.000Z"));
    assert_non_null(strstr(e.hint, "wait for that run to finish"));
    /* Another table is independent. */
    sl_err_clear(&e);
    assert_int_equal(lock_open(NULL, *state, "shop", "dbo", "lines", "t", &l, &e), 0);
    lock_close(l);
    /* kill -9: the kernel drops the flock; the stale content does not matter. */
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    l = NULL;
    sl_err_clear(&e);
    assert_int_equal(
        lock_open(NULL, *state, "shop", "dbo", "orders", "2026-11-21T10:00:02.000Z", &l, &e), 0);
    assert_non_null(l);
    lock_close(l);
}

static void test_same_process_excludes(void **state)
{
    struct table_lock *a = NULL, *b = NULL;
    struct sl_err e;
    char path[512];
    struct stat st;
    sl_err_clear(&e);
    assert_int_equal(lock_open(NULL, *state, "shop", "dbo", "orders", "t0", &a, &e), 0);
    assert_int_equal(lock_open(NULL, *state, "shop", "dbo", "orders", "t1", &b, &e), SL_EBUSY);
    assert_non_null(strstr(e.msg, "shop.dbo.orders"));
    lock_close(a);
    /* Released: the file stays (never unlinked) and is empty. */
    snprintf(path, sizeof path, "%s/watermarks/shop/dbo/orders/.lock", (char *)*state);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    sl_err_clear(&e);
    assert_int_equal(lock_open(NULL, *state, "shop", "dbo", "orders", "t2", &b, &e), 0);
    lock_close(b);
    lock_close(NULL);
}

static void test_lock_alloc_sweep(void **state)
{
    int rc = SL_ENOMEM;
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        struct table_lock *l = NULL;
        struct sl_err e;
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = lock_open(NULL, *state, "shop", "dbo", "orders", "t", &l, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
        assert_true((rc == 0) == (l != NULL));
        lock_close(l); /* a failed attempt must not leave the lock held */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contention_and_sigkill, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_same_process_excludes, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_lock_alloc_sweep, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
