/*
 * buf: growable byte buffer with a hard limit. See buf.h.
 */
#include "buf.h"

#include "err.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : SIZE_MAX / 2;
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    sl_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    size_t need, cap;
    uint8_t *p;
    if (n > b->limit || b->len > b->limit - n)
        return SL_ELIMIT;
    need = b->len + n + 1; /* room for the trailing NUL */
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 4 ? need : cap * 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    p = sl_realloc(b->data, cap);
    if (!p)
        return SL_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_append_byte(struct buf *b, uint8_t c)
{
    return buf_append(b, &c, 1);
}

int buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return SL_EINVAL;
    rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_append_u16le(struct buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return buf_append(b, x, 2);
}

int buf_append_u32le(struct buf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return buf_append(b, x, 4);
}

int buf_append_u64le(struct buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return buf_append(b, x, 8);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void buf_truncate(struct buf *b, size_t n)
{
    if (n < b->len) {
        b->len = n;
        b->data[n] = 0;
    }
}

uint8_t *buf_take(struct buf *b, size_t *len)
{
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
