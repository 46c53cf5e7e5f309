/*
 * log: leveled, line-atomic logging to stderr (or a caller-given stream).
 *
 * The sink and level are set once by the program's main before any thread
 * starts and are read-only afterwards; that one piece of process state is the
 * documented exception to "no mutable globals outside app/". Each line is
 * written with a single fwrite under the stream lock, so lines from parallel
 * workers never interleave. Format: `2026-11-21T10:00:00.123Z level [ctx] message`.
 *
 * Never log passwords or connection strings: callers pass redacted values.
 */
#ifndef SL_CORE_LOG_H
#define SL_CORE_LOG_H

#include <stdio.h>

enum sl_log_level { SL_LOG_ERROR = 0, SL_LOG_WARN = 1, SL_LOG_INFO = 2, SL_LOG_DEBUG = 3 };

/* Configure once at startup. stream NULL = stderr. */
void sl_log_setup(enum sl_log_level level, FILE *stream);
enum sl_log_level sl_log_get_level(void);
int sl_log_enabled(enum sl_log_level level);

/* ctx names the object being worked on ("shop.dbo.orders") or is NULL. */
void sl_log(enum sl_log_level level, const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sl_log_error(ctx, ...) sl_log(SL_LOG_ERROR, ctx, __VA_ARGS__)
#define sl_log_warn(ctx, ...) sl_log(SL_LOG_WARN, ctx, __VA_ARGS__)
#define sl_log_info(ctx, ...) sl_log(SL_LOG_INFO, ctx, __VA_ARGS__)
#define sl_log_debug(ctx, ...)                                                 \
    do {                                                                       \
        if (sl_log_enabled(SL_LOG_DEBUG))                                      \
            sl_log(SL_LOG_DEBUG, ctx, __VA_ARGS__);                            \
    } while (0)

#endif
