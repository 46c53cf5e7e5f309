/*
 * rle: the RLE / bit-packing hybrid (spec/parquet-delta.md §4.3) used for
 * definition levels and dictionary indices, LSB-first bit order.
 *
 * Encoder strategy: a run of >= 8 equal values becomes an RLE run; other
 * values are bit-packed in groups of 8, padded with zeros only at the end.
 * Output is appended without any length prefix; callers add the V1
 * 4-byte prefix (levels) or the bit-width byte (indices).
 *
 * Decoder: reads an untrusted byte range; never reads past it, returns
 * SL_ECORRUPT when the data ends before the requested count.
 */
#ifndef SL_PARQUET_RLE_H
#define SL_PARQUET_RLE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* Number of bits needed for values 0..max_value (0 for 0). */
int rle_bit_width(uint32_t max_value);

/* Append the hybrid encoding of v[0..n) (each < 2^bit_width, bit_width 0..32). */
int rle_encode_u32(struct buf *out, const uint32_t *v, size_t n, int bit_width);
/* Same for byte-sized values (levels: 0/1 with bit_width 1). */
int rle_encode_u8(struct buf *out, const uint8_t *v, size_t n, int bit_width);

struct rle_dec {
    const uint8_t *p, *end;
    int bit_width;
    uint32_t rle_left;     /* values left in the current RLE run */
    uint32_t rle_value;
    uint32_t bp_left;      /* values left in the current bit-packed run */
    uint64_t bit_pos;      /* bit offset into bp data */
    const uint8_t *bp;     /* start of the bit-packed run's data */
    size_t bp_bytes;       /* bytes available to that run */
};

void rle_dec_init(struct rle_dec *d, const uint8_t *p, size_t n, int bit_width);
/* Decode exactly n values into out. 0 or SL_ECORRUPT. */
int rle_dec_u32(struct rle_dec *d, uint32_t *out, size_t n);
int rle_dec_u8(struct rle_dec *d, uint8_t *out, size_t n);

#endif
