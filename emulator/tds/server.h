/*
 * server: the TCP listener of tdslite. Accepts connections and runs each
 * in its own detached thread (bounded stack) with a session id from 51 up;
 * on close it stops accepting, shuts every live socket down and waits for
 * the session threads to finish.
 *
 * Lifecycle:  server_open ──▶ listening ──server_run (until *stop)──▶ server_close
 */
#ifndef TL_TDS_SERVER_H
#define TL_TDS_SERVER_H

#include <signal.h>
#include <stdint.h>

#include "core/err.h"
#include "engine.h"

struct server;

/* Bind and listen on bind_addr:port (port 0 = any free port). The engine
 * is borrowed for the server's lifetime. */
int server_open(struct engine *e, const char *bind_addr, uint16_t port, struct server **out,
                struct sl_err *err);
/* The port actually bound. */
uint16_t server_port(const struct server *s);
/* Accept until *stop becomes non-zero. Returns 0 or SL_EIO. */
int server_run(struct server *s, volatile sig_atomic_t *stop);
/* Stop accepting, close live sessions, wait for their threads. NULL ok. */
void server_close(struct server *s);

#endif
