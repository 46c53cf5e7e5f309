/*
 * clock: ISO-8601 UTC timestamps. See clock.h.
 */
#include "state/clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *clock_iso8601(int64_t unix_ms, char *out)
{
    int64_t ms = unix_ms % 1000, sec = unix_ms / 1000;
    time_t t;
    struct tm tm;

    if (ms < 0) {
        ms += 1000;
        sec--;
    }
    t = (time_t)sec;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, CLOCK_ISO_LEN, "1970-01-01T00:00:00.000Z");
        return out;
    }
    snprintf(out, CLOCK_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);
    return out;
}
