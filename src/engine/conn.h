/*
 * conn: open an ODBC connection to one configured database, the way every
 * command does it: the connection string from the config (never logged:
 * only the label "server HOST:PORT database DB" appears in messages), the
 * login and query timeouts, and retries with backoff for transient
 * failures (retry.h). The string holding the password is wiped and freed
 * before conn_open returns.
 */
#ifndef SL_ENGINE_CONN_H
#define SL_ENGINE_CONN_H

#include "config/config.h"
#include "core/err.h"

struct odbc_conn;
struct retry_policy;

/*
 * Connect to database db (NULL = connection.database) of cfg. policy NULL
 * = one attempt. On success *out is the connection (caller owns;
 * odbc_close). On failure *out is NULL and err holds the last attempt's
 * error (naming the server and database) with a hint.
 */
int conn_open(const struct config *cfg, const char *db, const struct retry_policy *policy,
              struct odbc_conn **out, struct sl_err *err);

/* "server HOST:PORT database DB" into out (for messages). */
void conn_label(const struct config *cfg, const char *db, char *out, size_t cap);

#endif
