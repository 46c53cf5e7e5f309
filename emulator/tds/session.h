/*
 * session: one client connection from accept to close. Runs the login
 * exchange, then the request loop (SQL batch, RPC, transaction manager,
 * bulk load, attention), turning each request into engine_* calls and the
 * engine's callbacks (struct engine_out) into the token stream.
 *
 * Owns: the socket (through net.c), the engine session, and per-request
 * arenas. Leaves SQL to the engine and byte layouts to tokens.c/types.c.
 *
 * Connection states:
 *
 *   accepted ──PRELOGIN reply──▶ prelogin ──LOGIN7 + engine_login ok──▶ ready
 *       │                            └──login failure (ERROR, DONE(ERROR))──▶ closed
 *   ready ──request──▶ responding ──final DONE [+ DONE(ATTN) message]──▶ ready
 *   ready ──EOF, error, severity >= 20──▶ closed (engine_session_close)
 *
 * Response invariants (spec §5.4): every DONE but the last carries
 * DONE_MORE; nothing follows the final DONE; a row is encoded completely
 * before any byte of it is written, and a value that cannot be encoded ends
 * its result with ERROR + DONE(ERROR) instead of a corrupt stream.
 */
#ifndef TL_TDS_SESSION_H
#define TL_TDS_SESSION_H

#include <stdint.h>

#include "engine.h"

/* Serve one connection to completion (blocking). Takes ownership of fd.
 * peer is a printable address for logs (borrowed for the call). */
void session_serve(struct engine *e, int fd, uint16_t spid, const char *peer);

#endif
