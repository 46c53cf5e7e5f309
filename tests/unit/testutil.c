/* testutil: file-system fixtures shared by the unit tests. See testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h> /* program_invocation_short_name */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(path);
}

int testutil_tmpdir_setup(void **state)
{
    char templ[256];
    char *dir;

    snprintf(templ, sizeof templ, "/tmp/%s.XXXXXX", program_invocation_short_name);
    dir = strdup(templ);
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    *state = dir;
    return 0;
}

int testutil_tmpdir_teardown(void **state)
{
    nftw(*state, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    *state = NULL;
    return 0;
}

void testutil_set_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

char *testutil_get_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *s;

    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    s = malloc((size_t)st.st_size + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    fclose(f);
    s[st.st_size] = '\0';
    return s;
}
