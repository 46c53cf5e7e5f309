/*
 * guid: uniqueidentifier text <-> the 16 bytes SQL Server puts on the wire
 * and stores (Windows GUID order: Data1, Data2 and Data3 little-endian, the
 * last 8 bytes as written), and SQL Server's uniqueidentifier ordering.
 */
#include "value/value.h"

#include <string.h>

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

/* Wire position of the k-th byte of the text form. */
static const uint8_t text_to_wire[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int value_guid_to_wire(const char *s, size_t n, uint8_t out[16])
{
    uint8_t t[16];
    size_t i = 0, k = 0;
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n = 36;
    }
    if (n != 36)
        return -1;
    for (i = 0; i < 36;) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return -1;
            i++;
            continue;
        }
        hi = hexval(s[i]);
        lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        t[k++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    for (k = 0; k < 16; k++)
        out[text_to_wire[k]] = t[k];
    return 0;
}

void value_guid_from_wire(const uint8_t in[16], char out[37])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (int k = 0; k < 16; k++) {
        uint8_t b = in[text_to_wire[k]];
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hex[b >> 4];
        out[o++] = hex[b & 15];
    }
    out[36] = 0;
}

int value_guid_compare(const uint8_t a[16], const uint8_t b[16])
{
    /* SQL Server compares the last group first (bytes 10..15), then 8..9,
     * 6..7, 4..5 and 0..3 of the wire form (SqlGuid's order). */
    static const uint8_t order[16] = {10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3};
    for (int k = 0; k < 16; k++)
        if (a[order[k]] != b[order[k]])
            return a[order[k]] < b[order[k]] ? -1 : 1;
    return 0;
}
