/*
 * retry: which failures are worth another attempt on a fresh connection,
 * and how long to wait before it (exponential backoff with full jitter,
 * capped). Classification of ODBC diagnostics is source/odbc.c's job; this
 * module adds the policy: a failed login or a missing object is never
 * retried, a dropped link, a timeout, a deadlock victim or an Azure SQL
 * failover/throttle is.
 */
#ifndef SL_ENGINE_RETRY_H
#define SL_ENGINE_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct retry_policy {
    int attempts;    /* total attempts, >= 1 (1 = no retry) */
    int base_ms;     /* delay before the second attempt (upper bound of the jitter) */
    int max_ms;      /* cap of any one delay */
};

/* The policy sync uses: 4 attempts, 1 s, 2 s, 4 s (each jittered), cap 30 s. */
void retry_policy_default(struct retry_policy *p);

/*
 * True when err (filled by source/ or engine/) describes a failure that a
 * new attempt on a new connection may not meet again: SQLSTATE 08xxx link
 * failures, HYT00/HYT01 timeouts, deadlock victim 1205, lock timeout 1222,
 * the Azure SQL transient numbers (40197, 40501, 40613, 49918-49920,
 * 10928, 10929, 4221). Login failures (18456), missing objects (208) and
 * permissions (229, 230) are permanent.
 */
bool retry_transient(const struct sl_err *err);

/*
 * Milliseconds to wait before attempt number `next` (2 = the first retry):
 * a uniform draw in [d/2, d] with d = min(max_ms, base_ms * 2^(next-2)).
 * *seed is the caller's PRNG state (any value; updated).
 */
int retry_delay_ms(const struct retry_policy *p, int next, uint64_t *seed);

/* Sleep ms milliseconds (restarted after signals). */
void retry_sleep_ms(int ms);

#endif
