/*
 * tokens: serialisers for the server's token stream (spec/tds.md §5). Each
 * function appends one whole token to a caller's buffer and, on failure,
 * leaves the buffer as it was, so the session can build a token or a row
 * completely before any byte of it reaches the socket (spec pitfall 19).
 *
 * Pure functions: no I/O, no engine. Widths that changed in TDS 7.2
 * (usertype, DONE row count, message line number) follow `ver`.
 */
#ifndef TL_TDS_TOKENS_H
#define TL_TDS_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "types.h"

enum {
    TDS_TOK_RETURNSTATUS = 0x79,
    TDS_TOK_COLMETADATA = 0x81,
    TDS_TOK_ERROR = 0xAA,
    TDS_TOK_INFO = 0xAB,
    TDS_TOK_RETURNVALUE = 0xAC,
    TDS_TOK_LOGINACK = 0xAD,
    TDS_TOK_FEATUREEXTACK = 0xAE,
    TDS_TOK_ROW = 0xD1,
    TDS_TOK_NBCROW = 0xD2,
    TDS_TOK_ENVCHANGE = 0xE3,
    TDS_TOK_DONE = 0xFD,
    TDS_TOK_DONEPROC = 0xFE,
    TDS_TOK_DONEINPROC = 0xFF,
};

enum {
    TDS_DONE_FINAL = 0x0000,
    TDS_DONE_MORE = 0x0001,
    TDS_DONE_ERROR = 0x0002,
    TDS_DONE_INXACT = 0x0004,
    TDS_DONE_COUNT = 0x0010,
    TDS_DONE_ATTN = 0x0020,
};

/* COLMETADATA flag bits. */
enum {
    TDS_COL_NULLABLE = 0x0001,
    TDS_COL_UPD_RW = 0x0004,
    TDS_COL_UPD_UNKNOWN = 0x0008,
    TDS_COL_IDENTITY = 0x0010,
    TDS_COL_COMPUTED = 0x0020,
};

/* One result column as sent. name borrowed (UTF-8). */
struct tds_col {
    struct tds_wtype w;
    uint16_t flags;
    const char *name;
};

int tokens_colmetadata(struct buf *b, const struct tds_col *cols, size_t n, int ver);
/* ROW: every value encoded or nothing appended (SL_ECONVERT, e filled; or
 * SL_ESTATE, e filled with Msg 50000 naming the column, for a NULL value in
 * a NOT NULL column). */
int tokens_row(struct buf *b, const struct tds_col *cols, const struct tl_value *vals, size_t n,
               struct arena *a, struct types_err *e);
int tokens_done(struct buf *b, uint8_t token, uint16_t status, uint16_t curcmd, uint64_t count,
                int ver);
/* ERROR (is_error) or INFO. server/proc may be NULL (sent empty). */
int tokens_message(struct buf *b, bool is_error, int32_t number, uint8_t state, uint8_t cls,
                   const char *text, const char *server, const char *proc, int32_t line, int ver);
/* ENVCHANGE with B_VARCHAR values (database, language, packet size). */
int tokens_envchange_str(struct buf *b, uint8_t type, const char *newv, const char *oldv);
/* ENVCHANGE with B_VARBYTE values (collation, transactions, reset). */
int tokens_envchange_bytes(struct buf *b, uint8_t type, const uint8_t *newv, size_t nn,
                           const uint8_t *oldv, size_t on);
/* LOGINACK: interface 1, tds_version sent big-endian, "Microsoft SQL Server" 16.0.2000. */
int tokens_loginack(struct buf *b, uint32_t tds_version);
int tokens_retstatus(struct buf *b, int32_t status);
/* RETURNVALUE of an output parameter (status 0x01). */
int tokens_retvalue(struct buf *b, uint16_t ordinal, const char *name, const struct tds_wtype *w,
                    const struct tl_value *v, struct arena *a, struct types_err *e, int ver);

#endif
