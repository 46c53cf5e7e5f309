/*
 * text: character-level facts of SQL Server strings on UTF-8 storage.
 *
 * Owns: the Windows-1252 code page of varchar under the default collation
 * (SQL_Latin1_General_CP1_CI_AS), length counting in the units SQL Server
 * declares lengths in (code page bytes for varchar, UTF-16 code units for
 * nvarchar) and the case-insensitive, trailing-space-insensitive
 * comparison. Does not implement SQL Server's dictionary ordering of
 * punctuation: after case folding, characters compare by code point.
 */
#include "internal.h"

#include "core/utf8.h"

/* Unicode of CP1252 bytes 0x80..0x9F (the five undefined ones map to
 * themselves, as Windows' best-fit table does). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

int32_t value_cp1252_to_unicode(uint8_t b)
{
    return b >= 0x80 && b < 0xA0 ? cp1252_high[b - 0x80] : b;
}

int value_cp1252_from_unicode(int32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return cp < 0 ? -1 : cp;
    for (int k = 0; k < 32; k++)
        if (cp1252_high[k] == cp)
            return 0x80 + k;
    return -1;
}

size_t value_text_units(const uint8_t *s, size_t n, bool utf16)
{
    size_t i = 0, units = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            units++;
            continue;
        }
        int32_t cp = utf8_decode(s, n, &i);
        units += (utf16 && cp >= 0x10000) ? 2 : 1;
    }
    return units;
}

size_t value_text_prefix(const uint8_t *s, size_t n, size_t max_units, bool utf16)
{
    size_t i = 0, units = 0;
    while (i < n) {
        size_t at = i;
        int32_t cp = s[i] < 0x80 ? s[i++] : utf8_decode(s, n, &i);
        size_t w = (utf16 && cp >= 0x10000) ? 2 : 1;
        if (units + w > max_units)
            return at;
        units += w;
    }
    return n;
}

int32_t text_fold(int32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    if (c < 0x100) {
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            return c - 0x20;
        return c == 0xFF ? 0x178 : c;
    }
    if (c < 0x180) {
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
            return c & ~1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c : c - 1;
        return c;
    }
    if (c >= 0x3B1 && c <= 0x3C9)
        return c == 0x3C2 ? 0x3A3 : c - 0x20;
    if (c >= 0x430 && c <= 0x44F)
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    return c;
}

static int32_t next_cp(const uint8_t *s, size_t n, size_t *i)
{
    int32_t cp;
    if (*i >= n)
        return ' '; /* shorter string is padded with spaces */
    if (s[*i] < 0x80)
        return s[(*i)++];
    cp = utf8_decode(s, n, i);
    return cp < 0 ? 0xFFFD : cp;
}

int value_text_compare_ci(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        int32_t x = text_fold(next_cp(a, an, &i)), y = text_fold(next_cp(b, bn, &j));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}
