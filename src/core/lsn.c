/*
 * lsn: see lsn.h.
 */
#include "core/lsn.h"

#include <string.h>

int lsn_cmp(const struct lsn *a, const struct lsn *b)
{
    return memcmp(a->b, b->b, LSN_BYTES); /* memcmp compares as unsigned char */
}

bool lsn_is_zero(const struct lsn *l)
{
    for (size_t i = 0; i < LSN_BYTES; i++)
        if (l->b[i])
            return false;
    return true;
}

bool lsn_from_bytes(struct lsn *out, const void *p, size_t n)
{
    memset(out, 0, sizeof *out);
    if (n != LSN_BYTES || !p)
        return false;
    memcpy(out->b, p, LSN_BYTES);
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Write bytes [from, to) of l as hex digits from digits[] at out. */
static char *put_hex(const struct lsn *l, size_t from, size_t to, const char *digits, char *out)
{
    for (size_t i = from; i < to; i++) {
        *out++ = digits[l->b[i] >> 4];
        *out++ = digits[l->b[i] & 15];
    }
    return out;
}

void lsn_to_hex(const struct lsn *l, char *out)
{
    *put_hex(l, 0, LSN_BYTES, "0123456789ABCDEF", out) = '\0';
}

void lsn_to_debezium(const struct lsn *l, char *out)
{
    static const char lower[] = "0123456789abcdef";
    char *o = put_hex(l, 0, 4, lower, out);
    *o++ = ':';
    o = put_hex(l, 4, 8, lower, o);
    *o++ = ':';
    *put_hex(l, 8, LSN_BYTES, lower, o) = '\0';
}

/* Read 2*n hex digits from s into n bytes at out; false on a non-digit. */
static bool get_hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool lsn_from_hex(struct lsn *out, const char *s)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (strlen(s) != LSN_HEX_LEN || !get_hex(s, out->b, LSN_BYTES)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    return true;
}

bool lsn_from_debezium(struct lsn *out, const char *s)
{
    memset(out, 0, sizeof *out);
    if (!s || strlen(s) != LSN_DEBEZIUM_LEN || s[8] != ':' || s[17] != ':' ||
        !get_hex(s, out->b, 4) || !get_hex(s + 9, out->b + 4, 4) ||
        !get_hex(s + 18, out->b + 8, 2)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    return true;
}
