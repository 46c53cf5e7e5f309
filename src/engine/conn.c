/*
 * conn: see conn.h.
 */
#include "engine/conn.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "engine/retry.h"
#include "source/odbc.h"

#define LOGIN_TIMEOUT_S 15

void conn_label(const struct config *cfg, const char *db, char *out, size_t cap)
{
    const char *d = db ? db : cfg->connection.database;
    snprintf(out, cap, "server %s:%d%s%s", cfg->connection.server, cfg->connection.port,
             d ? " database " : "", d ? d : "");
}

static void wipe_free(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
        sl_free(s);
    }
}

int conn_open(const struct config *cfg, const char *db, const struct retry_policy *policy,
              struct odbc_conn **out, struct sl_err *err)
{
    struct odbc_options opt = {.login_timeout_s = LOGIN_TIMEOUT_S, .query_timeout_s = 0};
    int attempts = policy ? policy->attempts : 1;
    uint64_t seed = (uint64_t)getpid() ^ (uint64_t)time(NULL);
    char label[300];
    char *connstr = NULL;
    int ret;

    *out = NULL;
    conn_label(cfg, db, label, sizeof(label));
    ret = config_odbc_string(cfg, db, false, &connstr, err);
    if (ret)
        goto out;
    for (int attempt = 1;; attempt++) {
        struct sl_err e;
        sl_err_clear(&e);
        ret = odbc_open(connstr, label, &opt, out, &e);
        if (!ret)
            break;
        if (attempt >= attempts || !retry_transient(&e)) {
            if (err && err->code == 0)
                *err = e;
            break;
        }
        int ms = retry_delay_ms(policy, attempt + 1, &seed);
        sl_log_warn(db, "%s (transient); attempt %d of %d in %d ms", e.msg, attempt + 1, attempts,
                    ms);
        retry_sleep_ms(ms);
    }
out:
    wipe_free(connstr);
    return ret;
}
