/*
 * buf: the one growable byte buffer, with a hard size limit (curl dynbuf).
 *
 * A buffer owns its storage. It grows geometrically up to `limit` bytes; an
 * append that would exceed the limit fails with SL_ELIMIT and leaves the
 * buffer unchanged. The content is always followed by a NUL byte that is not
 * counted in len, so text buffers can be used as C strings.
 *
 * Lifecycle: buf_init -> (append/reset)* -> buf_take or buf_free.
 */
#ifndef SL_CORE_BUF_H
#define SL_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;
};

/* Initialise an empty buffer that may grow to limit bytes (0 = SIZE_MAX/2). */
void buf_init(struct buf *b, size_t limit);

/* Release storage; the buffer is empty and reusable afterwards. NULL ok. */
void buf_free(struct buf *b);

/* Make room for n more bytes. 0, SL_ENOMEM or SL_ELIMIT. */
int buf_reserve(struct buf *b, size_t n);

int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_byte(struct buf *b, uint8_t c);
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vappendf(struct buf *b, const char *fmt, va_list ap);

/* Little-endian fixed-width appends (TDS, Parquet PLAIN). */
int buf_append_u16le(struct buf *b, uint16_t v);
int buf_append_u32le(struct buf *b, uint32_t v);
int buf_append_u64le(struct buf *b, uint64_t v);

/* Forget the content, keep the storage. */
void buf_reset(struct buf *b);

/* Shrink len to n (n <= len). */
void buf_truncate(struct buf *b, size_t n);

/*
 * Hand the storage to the caller (caller owns, free with sl_free); the
 * buffer is left empty. Returns NULL for an empty buffer with no storage.
 */
uint8_t *buf_take(struct buf *b, size_t *len);

#endif
