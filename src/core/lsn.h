/*
 * lsn: SQL Server log sequence numbers, the positions of Change Data
 * Capture (spec/ct-cdc.md §B8), and their text forms.
 *
 * An LSN is binary(10): a 4-byte VLF sequence number, a 4-byte log block
 * offset and a 2-byte slot, each big-endian, so comparing the ten bytes
 * as unsigned bytes in order is LSN order. The text forms in use:
 *
 *   hex        "0000002A000001B80003"   20 hex digits, as in a T-SQL literal
 *                                       without "0x" and in watermarks.json
 *                                       (state/watermark.h); written upper
 *                                       case, read in either case
 *   debezium   "0000002a:000001b8:0003" 8:8:4 hex digits, Debezium's
 *                                       change_lsn / commit_lsn (and
 *                                       fn_dblog's); written lower case
 *
 * The all-zero LSN is what sys.fn_cdc_get_min_lsn returns for a capture
 * instance that does not exist or that the login may not read.
 *
 * This lives in core rather than in source/cdc.c because the source, the
 * sinks (jsonl) and the state files all speak LSNs, and sinks never link
 * the source stage. Pure functions, no allocation.
 */
#ifndef SL_CORE_LSN_H
#define SL_CORE_LSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSN_BYTES 10
#define LSN_HEX_LEN 20      /* characters of the hex form, without NUL */
#define LSN_DEBEZIUM_LEN 22 /* characters of the 8:8:4 form, without NUL */

struct lsn {
    uint8_t b[LSN_BYTES];
};

/* <0, 0, >0 as a is before, equal to or after b (unsigned byte order). */
int lsn_cmp(const struct lsn *a, const struct lsn *b);

/* True for 0x00000000000000000000. */
bool lsn_is_zero(const struct lsn *l);

/* Copy n bytes into *out; false (and *out zeroed) unless n == LSN_BYTES. */
bool lsn_from_bytes(struct lsn *out, const void *p, size_t n);

/* The hex form, upper case, into out[LSN_HEX_LEN + 1]. */
void lsn_to_hex(const struct lsn *l, char *out);

/* Parse the hex form: exactly 20 hex digits of either case, optionally
 * after "0x"/"0X". False (and *out zeroed) for anything else. */
bool lsn_from_hex(struct lsn *out, const char *s);

/* The Debezium form, lower case, into out[LSN_DEBEZIUM_LEN + 1]. */
void lsn_to_debezium(const struct lsn *l, char *out);

/* Parse the Debezium form: 8, 8 and 4 hex digits separated by ':'. */
bool lsn_from_debezium(struct lsn *out, const char *s);

#endif
