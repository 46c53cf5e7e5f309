/*
 * wire: see wire.h.
 */
#include "wire.h"

#include <string.h>

#include "core/err.h"
#include "core/utf8.h"

void wire_rd_init(struct tds_rd *r, const uint8_t *p, size_t n)
{
    memset(r, 0, sizeof(*r));
    r->p = p;
    r->n = n;
}

bool wire_need(struct tds_rd *r, size_t k)
{
    if (r->err)
        return false;
    while (r->n - r->pos < k) {
        int rc = r->more ? r->more(r) : SL_ECORRUPT;
        if (rc) {
            r->err = rc;
            return false;
        }
    }
    return true;
}

bool wire_at_end(struct tds_rd *r)
{
    if (r->err)
        return true;
    if (r->pos < r->n)
        return false;
    if (!r->more)
        return true;
    /* A refill failing at a token boundary is the normal end of message;
     * do not make it sticky. */
    if (r->more(r) != 0)
        return true;
    return r->pos >= r->n;
}

uint8_t wire_u8(struct tds_rd *r)
{
    return wire_need(r, 1) ? r->p[r->pos++] : 0;
}

uint16_t wire_u16(struct tds_rd *r)
{
    uint16_t v;
    if (!wire_need(r, 2))
        return 0;
    v = (uint16_t)(r->p[r->pos] | (r->p[r->pos + 1] << 8));
    r->pos += 2;
    return v;
}

uint16_t wire_u16be(struct tds_rd *r)
{
    uint16_t v;
    if (!wire_need(r, 2))
        return 0;
    v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return v;
}

uint32_t wire_u32(struct tds_rd *r)
{
    uint32_t v = 0;
    if (!wire_need(r, 4))
        return 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | r->p[r->pos + (size_t)i];
    r->pos += 4;
    return v;
}

uint64_t wire_u64(struct tds_rd *r)
{
    uint64_t v = 0;
    if (!wire_need(r, 8))
        return 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | r->p[r->pos + (size_t)i];
    r->pos += 8;
    return v;
}

int wire_peek(struct tds_rd *r)
{
    if (wire_at_end(r))
        return -1;
    return r->p[r->pos];
}

const uint8_t *wire_bytes(struct tds_rd *r, size_t k)
{
    const uint8_t *p;
    if (!wire_need(r, k))
        return NULL;
    p = r->p + r->pos;
    r->pos += k;
    return p;
}

int wire_copy(struct tds_rd *r, struct buf *out, size_t k)
{
    while (k > 0 && !r->err) {
        size_t have = r->n - r->pos, take;
        int rc;
        if (have == 0) {
            if (!wire_need(r, 1))
                break;
            have = r->n - r->pos;
        }
        take = have < k ? have : k;
        if ((rc = buf_append(out, r->p + r->pos, take)) != 0) {
            r->err = rc;
            break;
        }
        r->pos += take;
        k -= take;
    }
    return r->err;
}

void wire_skip(struct tds_rd *r, size_t k)
{
    while (k > 0 && !r->err) {
        size_t have = r->n - r->pos, take;
        if (have == 0) {
            if (!wire_need(r, 1))
                break;
            have = r->n - r->pos;
        }
        take = have < k ? have : k;
        r->pos += take;
        k -= take;
    }
}

int wire_put_u8(struct buf *b, uint8_t v)
{
    return buf_append_byte(b, v);
}

int wire_put_u16be(struct buf *b, uint16_t v)
{
    uint8_t t[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return buf_append(b, t, 2);
}

/* Encode utf8 as UTF-16LE, cut to max units; writes the count with a
 * prefix of width 1 or 2 bytes. */
static int put_varchar(struct buf *b, const char *utf8, size_t max_units, int width)
{
    struct buf u;
    size_t units;
    int rc;
    buf_init(&u, 0);
    rc = utf8 ? utf8_to_utf16le(&u, (const uint8_t *)utf8, strlen(utf8)) : 0;
    if (rc)
        goto out;
    units = u.len / 2;
    if (units > max_units) {
        units = max_units;
        /* Do not split a surrogate pair: drop a trailing high surrogate. */
        if (units > 0 && u.data[units * 2 - 1] >= 0xD8 && u.data[units * 2 - 1] <= 0xDB)
            units--;
    }
    rc = width == 1 ? buf_append_byte(b, (uint8_t)units) : buf_append_u16le(b, (uint16_t)units);
    if (rc == 0 && units)
        rc = buf_append(b, u.data, units * 2);
out:
    buf_free(&u);
    return rc;
}

int wire_put_bvarchar(struct buf *b, const char *utf8)
{
    return put_varchar(b, utf8, 255, 1);
}

int wire_put_usvarchar(struct buf *b, const char *utf8)
{
    return put_varchar(b, utf8, 65535, 2);
}

static int get_varchar(struct tds_rd *r, struct buf *out, size_t units)
{
    const uint8_t *p = wire_bytes(r, units * 2);
    buf_reset(out);
    if (!p)
        return r->err;
    return utf16le_to_utf8(out, p, units * 2);
}

int wire_get_bvarchar(struct tds_rd *r, struct buf *out)
{
    size_t units = wire_u8(r);
    return r->err ? r->err : get_varchar(r, out, units);
}

int wire_get_usvarchar(struct tds_rd *r, struct buf *out)
{
    size_t units = wire_u16(r);
    return r->err ? r->err : get_varchar(r, out, units);
}

void wire_store_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void wire_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void wire_store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
