/* Unit tests for src/state/fsio.c: atomic replace, JSONL append, mkdirs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "state/fsio.h"
#include "testutil.h"

/* ---- helpers ---- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- the write hook ---- */

struct hook {
    size_t budget;  /* bytes accepted before failing */
    int fail_errno; /* errno once the budget is spent */
    size_t chunk;   /* max bytes per call (short writes); 0 = unlimited */
    int eintr;      /* return EINTR on every other call */
    int calls;
    int fsync_errno; /* fail fsync with this errno when set */
};

static ssize_t hook_write(void *arg, int fd, const void *p, size_t n)
{
    struct hook *h = arg;
    if (h->eintr && (h->calls++ % 2) == 0) {
        errno = EINTR;
        return -1;
    }
    if (h->budget == 0) {
        errno = h->fail_errno;
        return -1;
    }
    if (n > h->budget)
        n = h->budget;
    if (h->chunk && n > h->chunk)
        n = h->chunk;
    h->budget -= n;
    return write(fd, p, n);
}

static int hook_fsync(void *arg, int fd)
{
    struct hook *h = arg;
    if (h->fsync_errno) {
        errno = h->fsync_errno;
        return -1;
    }
    return fsync(fd);
}

/* ---- tests ---- */

static void test_write_atomic_creates_and_replaces(void **state)
{
    char path[512];
    struct sl_err e;
    char *s;
    snprintf(path, sizeof path, "%s/w.json", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(fsio_write_atomic(NULL, path, "one", 3, &e), 0);
    assert_int_equal(fsio_write_atomic(NULL, path, "second", 6, &e), 0);
    s = testutil_get_file(path);
    assert_string_equal(s, "second");
    free(s);
    assert_int_equal(count_entries(*state), 1); /* no temp left */
}

static void test_write_atomic_fails_at_every_byte(void **state)
{
    const char *old = "{\"old\": true}\n", *nw = "{\"new\": \"longer content here\"}\n";
    size_t len = strlen(nw);
    char path[512];
    snprintf(path, sizeof path, "%s/wm.json", (char *)*state);
    testutil_set_file(path, old);
    for (size_t k = 0; k < len; k++) {
        struct hook h = {.budget = k, .fail_errno = ENOSPC};
        struct fsio_ops io = {hook_write, NULL, &h};
        struct sl_err e;
        char *s;
        sl_err_clear(&e);
        assert_int_equal(fsio_write_atomic(&io, path, nw, len, &e), SL_ENOSPC);
        assert_non_null(strstr(e.msg, path));
        assert_non_null(strstr(e.hint, "free space on the volume holding"));
        assert_int_equal(e.source_code, ENOSPC);
        s = testutil_get_file(path);
        assert_string_equal(s, old);
        free(s);
        assert_int_equal(count_entries(*state), 1);
    }
    {
        /* Short writes and EINTR are continued, not failures. */
        struct hook h = {.budget = SIZE_MAX, .chunk = 3, .eintr = 1};
        struct fsio_ops io = {hook_write, NULL, &h};
        struct sl_err e;
        char *s;
        sl_err_clear(&e);
        assert_int_equal(fsio_write_atomic(&io, path, nw, len, &e), 0);
        s = testutil_get_file(path);
        assert_string_equal(s, nw);
        free(s);
    }
}

static void test_write_atomic_fsync_eio(void **state)
{
    char path[512];
    struct hook h = {.budget = SIZE_MAX, .fsync_errno = EIO};
    struct fsio_ops io = {hook_write, hook_fsync, &h};
    struct sl_err e;
    char *s;
    snprintf(path, sizeof path, "%s/x", (char *)*state);
    testutil_set_file(path, "old");
    sl_err_clear(&e);
    assert_int_equal(fsio_write_atomic(&io, path, "new", 3, &e), SL_EIO);
    assert_non_null(strstr(e.msg, "fsync"));
    assert_non_null(strstr(e.hint, "dmesg"));
    s = testutil_get_file(path);
    assert_string_equal(s, "old");
    free(s);
    assert_int_equal(count_entries(*state), 1);
}

static void test_write_atomic_missing_dir(void **state)
{
    char path[512];
    struct sl_err e;
    snprintf(path, sizeof path, "%s/nope/x", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(fsio_write_atomic(NULL, path, "a", 1, &e), SL_EIO);
    assert_non_null(strstr(e.msg, path));
}

static void test_write_atomic_alloc_sweep(void **state)
{
    char path[512];
    int rc = SL_ENOMEM;
    snprintf(path, sizeof path, "%s/a", (char *)*state);
    testutil_set_file(path, "old");
    for (unsigned long i = 1; rc == SL_ENOMEM; i++) {
        struct sl_err e;
        char *s;
        sl_err_clear(&e);
        sl_mem_fail_after(i);
        rc = fsio_write_atomic(NULL, path, "new", 3, &e);
        sl_mem_fail_after(0);
        assert_true(rc == 0 || rc == SL_ENOMEM);
        s = testutil_get_file(path);
        assert_string_equal(s, rc == 0 ? "new" : "old");
        free(s);
        assert_int_equal(count_entries(*state), 1);
    }
}

static void test_append_line_and_torn_tail(void **state)
{
    char path[512];
    struct sl_err e;
    char *s;
    snprintf(path, sizeof path, "%s/h.jsonl", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(fsio_append_line(NULL, path, "{\"a\":1}", &e), 0);
    assert_int_equal(fsio_append_line(NULL, path, "{\"b\":2}", &e), 0);
    s = testutil_get_file(path);
    assert_string_equal(s, "{\"a\":1}\n{\"b\":2}\n");
    free(s);
    /* A crash mid-append left a torn tail: the next append cuts it. */
    testutil_set_file(path, "{\"a\":1}\n{\"b\":2}\n{\"c\":");
    assert_int_equal(fsio_append_line(NULL, path, "{\"d\":4}", &e), 0);
    s = testutil_get_file(path);
    assert_string_equal(s, "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n");
    free(s);
    /* A file that is one torn line. */
    testutil_set_file(path, "{\"x\"");
    assert_int_equal(fsio_append_line(NULL, path, "1", &e), 0);
    s = testutil_get_file(path);
    assert_string_equal(s, "1\n");
    free(s);
    assert_int_equal(fsio_append_line(NULL, path, "a\nb", &e), SL_EINVAL);
}

static void test_append_line_fails_at_every_byte(void **state)
{
    const char *line = "{\"run_id\":\"r2\"}";
    char path[512];
    snprintf(path, sizeof path, "%s/h.jsonl", (char *)*state);
    testutil_set_file(path, "{\"run_id\":\"r1\"}\n");
    for (size_t k = 0; k <= strlen(line); k++) {
        struct hook h = {.budget = k, .fail_errno = ENOSPC};
        struct fsio_ops io = {hook_write, NULL, &h};
        struct sl_err e;
        char *s;
        sl_err_clear(&e);
        assert_int_equal(fsio_append_line(&io, path, line, &e), SL_ENOSPC);
        assert_non_null(strstr(e.hint, path));
        s = testutil_get_file(path);
        assert_string_equal(s, "{\"run_id\":\"r1\"}\n");
        free(s);
    }
}

static void test_mkdirs(void **state)
{
    char path[512], file[512];
    struct sl_err e;
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b//c/", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(fsio_mkdirs(NULL, path, 0755, &e), 0);
    assert_int_equal(fsio_mkdirs(NULL, path, 0755, &e), 0); /* exists: fine */
    snprintf(path, sizeof path, "%s/a/b/c", (char *)*state);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    snprintf(file, sizeof file, "%s/a/f", (char *)*state);
    testutil_set_file(file, "x");
    snprintf(path, sizeof path, "%s/a/f/g", (char *)*state);
    assert_int_equal(fsio_mkdirs(NULL, path, 0755, &e), SL_EEXIST);
    assert_non_null(strstr(e.msg, file));
    assert_int_equal(fsio_fsync_dir(NULL, *state, &e), 0);
}

static void test_read_file_missing_and_limit(void **state)
{
    char path[512];
    struct buf b;
    struct sl_err e;
    snprintf(path, sizeof path, "%s/none", (char *)*state);
    buf_init(&b, 8);
    sl_err_clear(&e);
    assert_int_equal(fsio_read_file(path, &b, &e), SL_ENOTFOUND);
    assert_int_equal(e.code, 0); /* "missing" is not an error record */
    snprintf(path, sizeof path, "%s/big", (char *)*state);
    testutil_set_file(path, "0123456789abcdef");
    assert_int_equal(fsio_read_file(path, &b, &e), SL_ELIMIT);
    assert_non_null(strstr(e.msg, path));
    buf_free(&b);
}

static void test_temp_names(void **state)
{
    (void)state;
    assert_true(fsio_is_temp_name("w/.watermarks.json.tmp.123.00ab"));
    assert_true(fsio_is_temp_name("data/x/part1.parquet.tmp"));
    assert_true(fsio_is_temp_name(".a.tmp.1.2"));
    assert_false(fsio_is_temp_name("data/x/part1.parquet"));
    assert_false(fsio_is_temp_name("data/.hidden.parquet"));
    assert_false(fsio_is_temp_name("data/tmp.parquet"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_atomic_creates_and_replaces,
                                        testutil_tmpdir_setup, testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_fails_at_every_byte,
                                        testutil_tmpdir_setup, testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_fsync_eio, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_missing_dir, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_alloc_sweep, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_append_line_and_torn_tail, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_append_line_fails_at_every_byte, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_read_file_missing_and_limit, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test(test_temp_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
