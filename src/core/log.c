/*
 * log: see log.h.
 */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static enum sl_log_level log_level = SL_LOG_INFO;
static FILE *log_stream; /* NULL = stderr */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void sl_log_setup(enum sl_log_level level, FILE *stream)
{
    log_level = level;
    log_stream = stream;
}

enum sl_log_level sl_log_get_level(void)
{
    return log_level;
}

int sl_log_enabled(enum sl_log_level level)
{
    return level <= log_level;
}

void sl_log(enum sl_log_level level, const char *ctx, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;
    va_list ap;
    FILE *out = log_stream ? log_stream : stderr;

    if (!sl_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ %-5s ", ts.tv_nsec / 1000000,
                          level_names[level]);
    if (ctx && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, "[%s] ", ctx);
    if (n < sizeof line) {
        va_start(ap, fmt);
        n += (size_t)vsnprintf(line + n, sizeof line - n, fmt, ap);
        va_end(ap);
    }
    if (n >= sizeof line - 1)
        n = sizeof line - 2;
    line[n++] = '\n';
    flockfile(out);
    fwrite(line, 1, n, out);
    fflush(out);
    funlockfile(out);
}
