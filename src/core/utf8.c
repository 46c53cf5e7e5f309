/*
 * utf8: see utf8.h.
 */
#include "utf8.h"

#include "buf.h"
#include "err.h"

#include <string.h>

int32_t utf8_decode(const uint8_t *s, size_t n, size_t *i)
{
    size_t p = *i;
    uint8_t c = s[p];
    int32_t cp;
    int len;
    uint8_t lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
        *i = p + 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *i = p + 1;
        return -1;
    }
    for (int k = 1; k < len; k++) {
        uint8_t b;
        if (p + (size_t)k >= n) {
            *i = p + (size_t)k;
            return -1;
        }
        b = s[p + (size_t)k];
        if (b < lo || b > hi) {
            *i = p + (size_t)k;
            return -1;
        }
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    *i = p + (size_t)len;
    return cp;
}

/* Whether the 8 bytes at p are all ASCII (memcpy: no alignment needed). */
static inline bool ascii8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return (w & 0x8080808080808080u) == 0;
}

static inline bool cont(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

/*
 * The same rules as utf8_decode (no overlongs, no surrogates, nothing past
 * U+10FFFF), written out inline: this runs over every string value a sync
 * lands, so it avoids a call per character.
 */
bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Fast path for ASCII runs, a word at a time (most text is ASCII). */
        while (i + 8 <= n && ascii8(s + i))
            i += 8;
        if (i >= n)
            break;
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || !cont(s[i + 1]))
                return false;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            uint8_t lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
            if (i + 2 >= n || s[i + 1] < lo || s[i + 1] > hi || !cont(s[i + 2]))
                return false;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
            if (i + 3 >= n || s[i + 1] < lo || s[i + 1] > hi || !cont(s[i + 2]) ||
                !cont(s[i + 3]))
                return false;
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

static int put_cp(struct buf *out, uint32_t cp)
{
    uint8_t t[4];
    size_t k;
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        k = 1;
    } else if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | (cp >> 6));
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | (cp >> 12));
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        t[0] = (uint8_t)(0xF0 | (cp >> 18));
        t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 4;
    }
    return buf_append(out, t, k);
}

int utf8_repair(struct buf *out, const uint8_t *s, size_t n)
{
    size_t i = 0, start = 0;
    int rc;
    while (i < n) {
        size_t at = i;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (utf8_decode(s, n, &i) >= 0)
            continue;
        /* Flush the valid run, then the replacement character. */
        if ((rc = buf_append(out, s + start, at - start)) != 0)
            return rc;
        if ((rc = put_cp(out, 0xFFFD)) != 0)
            return rc;
        start = i;
    }
    return buf_append(out, s + start, n - start);
}

int utf8_to_utf16le(struct buf *out, const uint8_t *s, size_t n)
{
    size_t i = 0;
    int rc = 0;
    while (i < n && rc == 0) {
        int32_t cp = utf8_decode(s, n, &i);
        if (cp < 0)
            cp = 0xFFFD;
        if (cp >= 0x10000) {
            uint32_t v = (uint32_t)cp - 0x10000;
            rc = buf_append_u16le(out, (uint16_t)(0xD800 | (v >> 10)));
            if (rc == 0)
                rc = buf_append_u16le(out, (uint16_t)(0xDC00 | (v & 0x3FF)));
        } else {
            rc = buf_append_u16le(out, (uint16_t)cp);
        }
    }
    return rc;
}

/* Encode cp at p; returns the bytes written (1..4). */
static inline size_t encode_cp(uint8_t *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (uint8_t)(0xC0 | (cp >> 6));
        p[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (uint8_t)(0xE0 | (cp >> 12));
        p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (uint8_t)(0xF0 | (cp >> 18));
    p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    p[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Next code point of UTF-16LE s at *i (lone surrogates become U+FFFD). */
static uint32_t utf16_next(const uint8_t *s, size_t nbytes, size_t *i)
{
    uint32_t u = (uint32_t)s[*i] | ((uint32_t)s[*i + 1] << 8);
    *i += 2;
    if (u >= 0xD800 && u <= 0xDBFF) {
        uint32_t lo = *i + 1 < nbytes ? ((uint32_t)s[*i] | ((uint32_t)s[*i + 1] << 8)) : 0;
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *i += 2;
            return 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        return 0xFFFD;
    }
    return u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u;
}

/* One code point at a time through buf_append: for output near out's limit. */
static int utf16le_to_utf8_slow(struct buf *out, const uint8_t *s, size_t nbytes)
{
    size_t i = 0;
    int rc = 0;
    while (i + 1 < nbytes && rc == 0)
        rc = put_cp(out, utf16_next(s, nbytes, &i));
    if (rc == 0 && i < nbytes)
        rc = put_cp(out, 0xFFFD);
    return rc;
}

size_t utf16le_to_utf8_raw(uint8_t *d, const uint8_t *s, size_t nbytes)
{
    size_t i = 0, o = 0;
    while (i + 1 < nbytes) {
        if (s[i] < 0x80 && s[i + 1] == 0) { /* ASCII */
            d[o++] = s[i];
            i += 2;
            continue;
        }
        o += encode_cp(d + o, utf16_next(s, nbytes, &i));
    }
    if (i < nbytes)
        o += encode_cp(d + o, 0xFFFD);
    return o;
}

int utf16le_to_utf8(struct buf *out, const uint8_t *s, size_t nbytes)
{
    /* Worst case: 3 bytes per code unit (a pair of 4 bytes is 2 units),
     * plus U+FFFD for an odd trailing byte. One reservation, then plain
     * stores: this is the hot path of every nvarchar value read. */
    int rc = buf_reserve(out, UTF16_TO_UTF8_MAX(nbytes));
    if (rc == SL_ELIMIT)
        return utf16le_to_utf8_slow(out, s, nbytes); /* the exact size may still fit */
    if (rc != 0)
        return rc;
    out->len += utf16le_to_utf8_raw(out->data + out->len, s, nbytes);
    out->data[out->len] = 0; /* buf keeps a NUL after the content */
    return 0;
}

size_t utf8_utf16_units(const uint8_t *s, size_t n)
{
    size_t i = 0, units = 0;
    while (i < n) {
        int32_t cp = s[i] < 0x80 ? s[i++] : utf8_decode(s, n, &i);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return units;
}
