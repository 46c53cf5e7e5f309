/*
 * arena: bump allocator for transient data with one stated lifetime (a batch,
 * a request, a connection). Allocations are freed all at once by
 * arena_reset (keep the first block for reuse) or arena_free.
 *
 * An arena has a hard byte limit across all its blocks; arena_alloc returns
 * NULL both on out-of-memory and on reaching the limit, so a caller that
 * needs the distinction checks arena_used() against the limit.
 *
 * Lifecycle: arena_init -> (arena_alloc)* -> arena_reset -> ... -> arena_free.
 */
#ifndef SL_CORE_ARENA_H
#define SL_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t block_size;
    size_t used;   /* bytes handed out since the last reset */
    size_t limit;  /* hard cap on bytes held across blocks */
    size_t held;   /* bytes held in blocks */
};

/* block_size 0 = 64 KiB; limit 0 = unlimited. */
void arena_init(struct arena *a, size_t block_size, size_t limit);
void arena_free(struct arena *a);
void arena_reset(struct arena *a);

/* n bytes aligned to 16; borrowed until the next reset/free. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* Copy of s[0..n) plus a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

size_t arena_used(const struct arena *a);

#endif
