/*
 * wire: byte-level helpers shared by every TDS module: a bounds-checked
 * reader over a byte window that can refill itself from the packet stream,
 * and the string encodings TDS uses (B_VARCHAR, US_VARCHAR, B_VARBYTE).
 *
 * Owns: nothing but the cursor. The bytes a reader looks at belong to
 * whoever set it up (a struct buf in net.c, or a test's array).
 *
 * Errors in the reader are sticky: the first underrun or refill failure sets
 * r->err (SL_ECORRUPT, SL_ECLOSED, ...) and every later read returns zeros,
 * so a parser can read a whole structure and check r->err once before it
 * trusts any value it read (a length is always bounds-checked before use).
 */
#ifndef TL_TDS_WIRE_H
#define TL_TDS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct tds_rd {
    const uint8_t *p; /* window: p[pos..n) is unread */
    size_t n;
    size_t pos;
    int err;          /* sticky first error, 0 = none */
    /* Refill: make the unread bytes plus at least one more byte available
     * (p/n/pos updated). NULL = the window is all there is. Returns 0,
     * SL_ECORRUPT at the end of the message, or an I/O error. */
    int (*more)(struct tds_rd *r);
    void *ctx;
};

/* A reader over p[0..n) with no refill. */
void wire_rd_init(struct tds_rd *r, const uint8_t *p, size_t n);

/* Make k contiguous unread bytes available; false (err set) if impossible. */
bool wire_need(struct tds_rd *r, size_t k);
/* True when no byte is left in the window and none can be fetched. */
bool wire_at_end(struct tds_rd *r);

uint8_t wire_u8(struct tds_rd *r);
uint16_t wire_u16(struct tds_rd *r);
uint16_t wire_u16be(struct tds_rd *r);
uint32_t wire_u32(struct tds_rd *r);
uint64_t wire_u64(struct tds_rd *r);
/* Peek the next byte without consuming; -1 at end of message. */
int wire_peek(struct tds_rd *r);
/* Pointer to k contiguous bytes, borrowed until the next read; NULL on error. */
const uint8_t *wire_bytes(struct tds_rd *r, size_t k);
/* Append k bytes to out (any size, across refills). */
int wire_copy(struct tds_rd *r, struct buf *out, size_t k);
void wire_skip(struct tds_rd *r, size_t k);

/* ---- writers (append to a buf) ---- */
int wire_put_u8(struct buf *b, uint8_t v);
int wire_put_u16be(struct buf *b, uint16_t v);
/* B_VARCHAR / US_VARCHAR from UTF-8: length prefix counts UTF-16 units;
 * longer strings are cut at 255 / 65535 units (never inside a pair). */
int wire_put_bvarchar(struct buf *b, const char *utf8);
int wire_put_usvarchar(struct buf *b, const char *utf8);
/* Read a B_VARCHAR / US_VARCHAR into out as UTF-8 (NUL-terminated buf). */
int wire_get_bvarchar(struct tds_rd *r, struct buf *out);
int wire_get_usvarchar(struct tds_rd *r, struct buf *out);

/* Store little/big-endian integers at p (fixed-size fields patched later). */
void wire_store_u16be(uint8_t *p, uint16_t v);
void wire_store_u16(uint8_t *p, uint16_t v);
void wire_store_u32(uint8_t *p, uint32_t v);

#endif
