/*
 * testutil: file-system fixtures shared by the cmocka unit tests (today the
 * state tests: fsio, watermark, lock, schema), so each test file keeps only
 * what it tests.
 *
 * Owns: a fresh temporary directory per test and whole-file helpers to put
 * and get text in it. Failures are cmocka assertions, not status codes: a
 * fixture that cannot do its job fails the test that called it.
 *
 * Memory comes from libc (strdup/malloc), deliberately not from sl_malloc,
 * so that a test's allocation-failure sweep (sl_mem_fail_after) counts only
 * the code under test.
 *
 * Lifecycle of a test's directory, as cmocka setup/teardown (cmocka's own
 * verbs, since cmocka calls them):
 *   (none) --testutil_tmpdir_setup--> *state = "/tmp/<program>.XXXXXX"
 *          --testutil_tmpdir_teardown--> (none: tree removed, path freed)
 */
#ifndef SL_TESTS_TESTUTIL_H
#define SL_TESTS_TESTUTIL_H

/*
 * cmocka setup: create a new empty directory under /tmp named after the
 * test program and set *state to its path (a char *, owned by the fixture
 * until testutil_tmpdir_teardown). Returns 0.
 */
int testutil_tmpdir_setup(void **state);

/*
 * cmocka teardown: remove the directory *state and everything below it
 * (symbolic links are removed, not followed), then free the path. Returns 0.
 */
int testutil_tmpdir_teardown(void **state);

/* Create or truncate path and write text to it; asserts on failure. */
void testutil_set_file(const char *path, const char *text);

/*
 * The whole content of path as a NUL-terminated string ("" for an empty
 * file); asserts that the file exists and reads. Caller owns; free() it.
 */
char *testutil_get_file(const char *path);

#endif
