/*
 * precheck: the one query per database with which `sluice watch` decides
 * which tables may have changed since their watermarks, and the commit
 * times of a landed CDC window (for the latency log).
 *
 *   SELECT CHANGE_TRACKING_CURRENT_VERSION(),
 *          (SELECT MAX(start_lsn) FROM cdc.lsn_time_mapping WHERE tran_id <> 0x00);
 *
 * The CDC part reads the newest LSN of a real transaction: the capture
 * job's idle filler rows (tran_id 0x00, spec ct-cdc §B3) move
 * fn_cdc_get_max_lsn() without any change, so comparing a watermark with
 * it would see every idle table as changed. Without CDC in the database
 * (no cdc schema) the CDC part is left out (the caller asks again with
 * with_cdc = false).
 *
 * Both statements are T-SQL that SQL Server accepts; LSNs are bound as
 * binary(10) parameters.
 */
#ifndef SL_SOURCE_PRECHECK_H
#define SL_SOURCE_PRECHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/lsn.h"

struct buf;
struct odbc_conn;

struct precheck {
    int64_t ct_version; /* CHANGE_TRACKING_CURRENT_VERSION() */
    bool ct_null;       /* change tracking off for the database */
    struct lsn cdc_lsn; /* newest captured transaction's start_lsn */
    bool cdc_null;      /* not asked, CDC off, or nothing captured yet */
};

/* The precheck statement; 0 or SL_ENOMEM / SL_ELIMIT. */
int precheck_sql(struct buf *out, bool with_cdc);

/*
 * Run the precheck on c (connected to the database). SL_E* with err on
 * failure (Msg 208 when with_cdc and the database has no cdc schema:
 * err->source_code tells the caller to ask again without CDC).
 */
int precheck_run(struct odbc_conn *c, bool with_cdc, struct precheck *out, struct sl_err *err);

/* Two parameters (binary(10)): the window (from, to]. */
int precheck_sql_cdc_age(struct buf *out);

/*
 * Milliseconds from the commit of the oldest and of the newest captured
 * transaction in (from, to] to now, both measured by the server's clock
 * (so neither time zone nor clock skew enters). *found is false when the
 * window holds no transaction.
 */
int precheck_cdc_age(struct odbc_conn *c, const struct lsn *from, const struct lsn *to,
                     int64_t *oldest_ms, int64_t *newest_ms, bool *found, struct sl_err *err);

#endif
