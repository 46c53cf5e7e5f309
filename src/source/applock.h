/*
 * applock: SQL Server application locks (sp_getapplock /
 * sp_releaseapplock), the lock sluice processes on different machines
 * share: one per table, taken in the table's own database, owned by the
 * session, never waited for. The kernel flock of state/lock.c keeps two
 * processes of one machine apart; this keeps machines apart (DESIGN
 * "Scale beyond one machine").
 *
 * A Session lock ends with the session, so a crashed or killed sluice
 * never leaves one behind.
 */
#ifndef SL_SOURCE_APPLOCK_H
#define SL_SOURCE_APPLOCK_H

#include <stdbool.h>

#include "core/err.h"

struct buf;
struct odbc_conn;

/* The batches, for tests: one parameter, the resource name (nvarchar). */
int applock_sql_get(struct buf *out);
int applock_sql_release(struct buf *out);

/*
 * Try to take the exclusive Session application lock `resource` (UTF-8,
 * at most 255 characters) in c's current database without waiting.
 * *held is true when granted, false when another session holds it.
 * Returns 0, or SL_E* with err filled (SQL Server's -999: bad arguments).
 */
int applock_get(struct odbc_conn *c, const char *resource, bool *held, struct sl_err *err);

/* Release what applock_get took. 0, or SL_E* with err filled. */
int applock_release(struct odbc_conn *c, const char *resource, struct sl_err *err);

#endif
