/*
 * retry: see retry.h.
 */
#include "engine/retry.h"

#include <errno.h>
#include <time.h>

#include "source/odbc.h"

void retry_policy_default(struct retry_policy *p)
{
    p->attempts = 4;
    p->base_ms = 1000;
    p->max_ms = 30000;
}

bool retry_transient(const struct sl_err *err)
{
    if (!err || err->code == 0)
        return false;
    switch (err->source_code) {
    case 18456: /* login failed */
    case 18452: /* untrusted domain login */
    case 208:   /* invalid object name */
    case 229:   /* permission denied */
    case 230:
    case 916:   /* server principal cannot access the database */
        return false;
    default:
        break;
    }
    return odbc_err_transient(err);
}

/* xorshift64*: a small PRNG for the jitter; quality does not matter here. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1du;
}

int retry_delay_ms(const struct retry_policy *p, int next, uint64_t *seed)
{
    int64_t d = p->base_ms;
    for (int i = 2; i < next && d < p->max_ms; i++)
        d *= 2;
    if (d > p->max_ms)
        d = p->max_ms;
    if (d <= 1)
        return (int)d;
    return (int)(d / 2 + (int64_t)(next_rand(seed) % (uint64_t)(d - d / 2 + 1)));
}

void retry_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
