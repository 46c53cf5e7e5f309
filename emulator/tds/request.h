/*
 * request: decoding of client request messages that carry structure (spec
 * §§4, 7, 10.2): ALL_HEADERS, RPC batches with their parameters, and
 * transaction-manager requests (translated to T-SQL text for the engine).
 *
 * Owns nothing: decoded names and values live in the caller's arena, whose
 * lifetime is one request.
 */
#ifndef TL_TDS_REQUEST_H
#define TL_TDS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "engine.h"
#include "wire.h"

/* One RPC of an RPC message. */
struct tds_rpc {
    const char *proc;        /* name as sent, or mapped from a ProcID */
    uint16_t options;
    struct engine_param *params;
    size_t nparams;
    bool no_exec;            /* preceded by the NoExec separator 0xFE */
};

/* Skip ALL_HEADERS by its TotalLength (TDS 7.2+ batch, RPC, TM). */
int request_skip_headers(struct tds_rd *r);

/* The procedure name of a special ProcID, NULL if unknown. */
const char *request_proc_name(uint16_t id);

/*
 * Parse the RPC batches that follow ALL_HEADERS up to the end of message.
 * *rpcs (arena) gets *n entries. On failure returns SL_ECORRUPT or
 * SL_EUNSUPPORTED with a SQL Server style text in why (cap bytes).
 */
int request_parse_rpc(struct tds_rd *r, int ver, struct arena *a, struct tds_rpc **rpcs,
                      size_t *n, char *why, size_t cap);

/*
 * Translate a TM request (after ALL_HEADERS) into T-SQL batch text appended
 * to sql ("BEGIN TRANSACTION", "COMMIT TRANSACTION", ...). Returns 0,
 * SL_EUNSUPPORTED (DTC requests; why filled) or SL_ECORRUPT.
 */
int request_tm_sql(struct tds_rd *r, struct buf *sql, char *why, size_t cap);

#endif
