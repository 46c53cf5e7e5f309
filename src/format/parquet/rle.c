/*
 * rle: RLE / bit-packing hybrid. See rle.h.
 */
#include "rle.h"

#include "core/buf.h"
#include "core/err.h"

#include <string.h>

int rle_bit_width(uint32_t max_value)
{
    int w = 0;
    while (max_value) {
        w++;
        max_value >>= 1;
    }
    return w;
}

static size_t put_varint(uint8_t *t, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    return n;
}

static int emit_rle(struct buf *out, uint32_t value, size_t count, int bw)
{
    uint8_t t[16];
    size_t n = put_varint(t, (uint64_t)count << 1);
    for (int k = 0; k < (bw + 7) / 8; k++)
        t[n++] = (uint8_t)(value >> (8 * k));
    return buf_append(out, t, n);
}

/* Bit-pack v[0..n) (n > 0, padded to a multiple of 8) as one run. */
#define DEFINE_EMIT_PACKED(NAME, T)                                                 \
    static int NAME(struct buf *out, const T *v, size_t n, int bw)                  \
    {                                                                               \
        size_t groups = (n + 7) / 8, nbytes = groups * (size_t)bw, hn;              \
        uint8_t t[10], *dst;                                                        \
        uint64_t acc = 0;                                                           \
        int bits = 0, rc;                                                           \
        hn = put_varint(t, (uint64_t)groups << 1 | 1);                              \
        rc = buf_reserve(out, hn + nbytes);                                         \
        if (rc)                                                                     \
            return rc;                                                              \
        memcpy(out->data + out->len, t, hn);                                        \
        dst = out->data + out->len + hn;                                            \
        for (size_t i = 0; i < groups * 8; i++) {                                   \
            acc |= (uint64_t)(i < n ? (uint32_t)v[i] : 0) << bits;                  \
            bits += bw;                                                             \
            while (bits >= 8) {                                                     \
                *dst++ = (uint8_t)acc;                                              \
                acc >>= 8;                                                          \
                bits -= 8;                                                          \
            }                                                                       \
        }                                                                           \
        out->len += hn + nbytes;                                                    \
        out->data[out->len] = 0;                                                    \
        return 0;                                                                   \
    }

DEFINE_EMIT_PACKED(emit_packed_u32, uint32_t)
DEFINE_EMIT_PACKED(emit_packed_u8, uint8_t)

/*
 * Walk the input: at each position measure the run of equal values. A run
 * of 8 or more ends the pending literal block, first topping the block up
 * to a multiple of 8 with values from the run; shorter runs join the block.
 */
#define DEFINE_ENCODE(NAME, T, PACK)                                                \
    int NAME(struct buf *out, const T *v, size_t n, int bw)                         \
    {                                                                               \
        size_t i = 0, lit = 0;                                                      \
        int rc;                                                                     \
        while (i < n) {                                                             \
            size_t run = 1;                                                         \
            while (i + run < n && v[i + run] == v[i])                               \
                run++;                                                              \
            if (run >= 8) {                                                         \
                size_t pad = (8 - (i - lit) % 8) % 8;                               \
                if (i > lit && run - pad >= 8) {                                    \
                    if ((rc = PACK(out, v + lit, i - lit + pad, bw)) != 0)          \
                        return rc;                                                  \
                    i += pad;                                                       \
                    run -= pad;                                                     \
                } else if (i > lit) {                                               \
                    i += run;                                                       \
                    continue;                                                       \
                }                                                                   \
                if ((rc = emit_rle(out, (uint32_t)v[i], run, bw)) != 0)             \
                    return rc;                                                      \
                i += run;                                                           \
                lit = i;                                                            \
                continue;                                                           \
            }                                                                       \
            i += run;                                                               \
        }                                                                           \
        if (n > lit)                                                                \
            return PACK(out, v + lit, n - lit, bw);                                 \
        return 0;                                                                   \
    }

DEFINE_ENCODE(rle_encode_u32, uint32_t, emit_packed_u32)
DEFINE_ENCODE(rle_encode_u8, uint8_t, emit_packed_u8)

/* ---- decoder ---- */

void rle_dec_init(struct rle_dec *d, const uint8_t *p, size_t n, int bit_width)
{
    memset(d, 0, sizeof *d);
    d->p = p;
    d->end = p + n;
    d->bit_width = bit_width;
}

static int next_run(struct rle_dec *d)
{
    uint64_t h = 0;
    int shift = 0;
    for (;;) {
        uint8_t c;
        if (d->p >= d->end || shift > 35)
            return SL_ECORRUPT;
        c = *d->p++;
        h |= (uint64_t)(c & 0x7F) << shift;
        shift += 7;
        if (!(c & 0x80))
            break;
    }
    if (h & 1) {
        uint64_t count = (h >> 1) * 8;
        size_t avail = (size_t)(d->end - d->p), need;
        if (count == 0 || count > UINT32_MAX)
            return SL_ECORRUPT;
        need = (size_t)((h >> 1) * (uint64_t)d->bit_width);
        /* Writers may cut the last run short; only its real values count. */
        d->bp = d->p;
        d->bp_bytes = need < avail ? need : avail;
        d->bp_left = (uint32_t)count;
        d->bit_pos = 0;
        d->p += d->bp_bytes;
    } else {
        int nb = (d->bit_width + 7) / 8;
        uint32_t v = 0;
        if (h >> 1 == 0 || h >> 1 > UINT32_MAX || (size_t)(d->end - d->p) < (size_t)nb)
            return SL_ECORRUPT;
        for (int k = 0; k < nb; k++)
            v |= (uint32_t)d->p[k] << (8 * k);
        d->p += nb;
        if (d->bit_width < 32 && (v >> d->bit_width))
            return SL_ECORRUPT;
        d->rle_left = (uint32_t)(h >> 1);
        d->rle_value = v;
    }
    return 0;
}

static int read_packed(struct rle_dec *d, uint32_t *v)
{
    uint64_t bit = d->bit_pos, acc = 0;
    size_t byte = (size_t)(bit >> 3);
    int sh = (int)(bit & 7), bw = d->bit_width;
    size_t last = (size_t)((bit + (uint64_t)bw + 7) >> 3);
    if (bw == 0) {
        *v = 0;
        return 0;
    }
    if (last > d->bp_bytes)
        return SL_ECORRUPT;
    for (size_t k = byte, s = 0; k < last; k++, s += 8)
        acc |= (uint64_t)d->bp[k] << s;
    *v = (uint32_t)((acc >> sh) & ((bw == 32) ? 0xFFFFFFFFu : ((1u << bw) - 1)));
    d->bit_pos += (uint64_t)bw;
    return 0;
}

#define DEFINE_DECODE(NAME, T)                                                      \
    int NAME(struct rle_dec *d, T *out, size_t n)                                   \
    {                                                                               \
        size_t i = 0;                                                               \
        int rc;                                                                     \
        if (d->bit_width < 0 || d->bit_width > 32)                                  \
            return SL_ECORRUPT;                                                     \
        while (i < n) {                                                             \
            if (d->rle_left) {                                                      \
                size_t k = n - i < d->rle_left ? n - i : d->rle_left;               \
                for (size_t j = 0; j < k; j++)                                      \
                    out[i + j] = (T)d->rle_value;                                   \
                i += k;                                                             \
                d->rle_left -= (uint32_t)k;                                         \
            } else if (d->bp_left) {                                                \
                while (i < n && d->bp_left) {                                       \
                    uint32_t v;                                                     \
                    if ((rc = read_packed(d, &v)) != 0)                             \
                        return rc;                                                  \
                    out[i++] = (T)v;                                                \
                    d->bp_left--;                                                   \
                }                                                                   \
            } else if ((rc = next_run(d)) != 0) {                                   \
                return rc;                                                          \
            }                                                                       \
        }                                                                           \
        return 0;                                                                   \
    }

DEFINE_DECODE(rle_dec_u32, uint32_t)
DEFINE_DECODE(rle_dec_u8, uint8_t)
