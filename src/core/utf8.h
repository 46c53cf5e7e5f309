/*
 * utf8: validation, repair and UTF-16LE conversion.
 *
 * Parquet strings must be valid UTF-8; TDS strings are UTF-16LE with
 * surrogate pairs. These functions are the one place that knows both.
 * Invalid input is never passed through: validation reports it, repair
 * replaces each maximal invalid subsequence with U+FFFD (the Unicode
 * "substitution of maximal subparts" practice), and the UTF-16 decoder turns
 * lone surrogates into U+FFFD.
 */
#ifndef SL_CORE_UTF8_H
#define SL_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const uint8_t *s, size_t n);

/* Append s[0..n) to out, replacing invalid sequences with U+FFFD. Returns 0 or SL_E*. */
int utf8_repair(struct buf *out, const uint8_t *s, size_t n);

/* Append the UTF-16LE encoding of UTF-8 s[0..n) to out (invalid input repaired). */
int utf8_to_utf16le(struct buf *out, const uint8_t *s, size_t n);

/* Append the UTF-8 encoding of UTF-16LE s[0..nbytes) to out. Odd trailing byte and
 * lone surrogates become U+FFFD. */
int utf16le_to_utf8(struct buf *out, const uint8_t *s, size_t nbytes);

/* UTF16_TO_UTF8_MAX(nbytes): the most bytes utf16le_to_utf8_raw writes. */
#define UTF16_TO_UTF8_MAX(nbytes) (((nbytes) / 2) * 3 + 3)

/* The same conversion into dst (room for UTF16_TO_UTF8_MAX(nbytes) bytes,
 * no NUL added); returns the bytes written. */
size_t utf16le_to_utf8_raw(uint8_t *dst, const uint8_t *s, size_t nbytes);

/* Number of UTF-16 code units needed for UTF-8 s (for nvarchar lengths). */
size_t utf8_utf16_units(const uint8_t *s, size_t n);

/* Decode one code point at s[*i]; advances *i. Returns -1 on invalid input
 * (and advances past the maximal invalid subpart). */
int32_t utf8_decode(const uint8_t *s, size_t n, size_t *i);

#endif
