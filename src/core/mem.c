/*
 * mem: allocation wrapper with failure injection. See mem.h.
 */
#include "mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong fail_countdown; /* 0 = disarmed; test-only state */
static atomic_ulong alloc_count;

static int should_fail(void)
{
    unsigned long left;
    atomic_fetch_add(&alloc_count, 1);
    left = atomic_load(&fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1))
            return left == 1;
    }
    return 0;
}

unsigned long sl_mem_fail_after(unsigned long nth)
{
    unsigned long n = atomic_exchange(&alloc_count, 0);
    atomic_store(&fail_countdown, nth);
    return n;
}

void *sl_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *sl_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *sl_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void sl_free(void *p)
{
    free(p);
}

char *sl_strndup(const char *s, size_t n)
{
    char *d = sl_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sl_strdup(const char *s)
{
    return sl_strndup(s, strlen(s));
}
