/*
 * clock: wall-clock time as the state files write it, ISO-8601 UTC with
 * milliseconds ("2026-11-21T10:00:00.123Z", the log's format). Callers pass
 * timestamps into the render functions so tests get fixed bytes; these
 * helpers produce them in production.
 */
#ifndef SL_STATE_CLOCK_H
#define SL_STATE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_ISO_LEN 80 /* room for any int year (the compiler checks), and the NUL */

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_now_ms(void);

/* Format unix_ms into out (CLOCK_ISO_LEN bytes); returns out. */
char *clock_iso8601(int64_t unix_ms, char *out);

#endif
