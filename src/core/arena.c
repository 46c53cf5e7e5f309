/*
 * arena: bump allocator. See arena.h.
 */
#include "arena.h"

#include "mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t off;
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t block_size, size_t limit)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
    a->limit = limit ? limit : SIZE_MAX / 2;
    a->held = 0;
}

void arena_free(struct arena *a)
{
    struct arena_block *b, *next;
    if (!a)
        return;
    for (b = a->head; b; b = next) {
        next = b->next;
        sl_free(b);
    }
    a->head = NULL;
    a->used = a->held = 0;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b, *next;
    if (!a->head)
        return;
    /* Keep the oldest block (the tail): it is the block_size one. */
    for (b = a->head; b->next; b = next) {
        next = b->next;
        a->held -= b->size;
        sl_free(b);
    }
    b->off = 0;
    a->head = b;
    a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t need = (n + 15) & ~(size_t)15;
    void *p;
    if (need < n)
        return NULL;
    if (!b || b->size - b->off < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        if (size > a->limit || a->held > a->limit - size)
            return NULL;
        b = sl_malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->off = 0;
        /* A big one-off block goes behind the current one so the current
         * block's free space is not abandoned. */
        if (a->head && need > a->block_size) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
        a->held += size;
    }
    p = b->data + b->off;
    b->off += need;
    a->used += need;
    return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *d = arena_alloc(a, n);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *d;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    d = arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

size_t arena_used(const struct arena *a)
{
    return a->used;
}
