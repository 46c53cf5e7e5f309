/*
 * err: status codes and the error record every module fills.
 *
 * A status is an int: 0 is success, a negative SL_E* code is failure. The
 * codes come from one X-macro table (SL_ERRNO_MAP) that generates the enum,
 * sl_err_name() and sl_strerror(); codes are append-only so that logs and
 * state files stay comparable across versions.
 *
 * Details of a failure live in struct sl_err, filled once, where the failure
 * happens: the code, the source's own code (errno, SQL Server message
 * number), a lowercase primary message naming the object, an optional detail
 * and an optional hint. Callers higher up may add context with sl_err_wrap()
 * but never overwrite the primary cause.
 */
#ifndef SL_CORE_ERR_H
#define SL_CORE_ERR_H

#include <stddef.h>

/* X(NAME, value, description). Append only. */
#define SL_ERRNO_MAP(X)                                                        \
    X(OK, 0, "success")                                                        \
    X(NOMEM, -1, "out of memory")                                              \
    X(INVAL, -2, "invalid argument")                                           \
    X(IO, -3, "input/output error")                                            \
    X(NOSPC, -4, "no space left on device")                                    \
    X(LIMIT, -5, "limit exceeded")                                             \
    X(CORRUPT, -6, "corrupt or malformed data")                                \
    X(UNSUPPORTED, -7, "not supported")                                        \
    X(NOTFOUND, -8, "not found")                                               \
    X(CONFIG, -9, "configuration error")                                       \
    X(CONNECT, -10, "connection failed")                                       \
    X(AUTH, -11, "authentication failed")                                      \
    X(SQL, -12, "SQL Server error")                                            \
    X(PROTOCOL, -13, "protocol error")                                         \
    X(CANCELLED, -14, "cancelled")                                             \
    X(BUSY, -15, "resource busy")                                              \
    X(TIMEOUT, -16, "timed out")                                               \
    X(EXIST, -17, "already exists")                                           \
    X(STATE, -18, "invalid state")                                             \
    X(CLOSED, -19, "connection closed")                                        \
    X(CONVERT, -20, "value conversion failed")

enum sl_errno {
#define SL_ERR_ENUM(name, value, desc) SL_E##name = value,
    SL_ERRNO_MAP(SL_ERR_ENUM)
#undef SL_ERR_ENUM
};

#define SL_OK SL_EOK

#define SL_ERR_MSG_MAX 512

struct sl_err {
    int code;                      /* SL_E* */
    int source_code;               /* errno, SQL Server msg number, ... or 0 */
    char msg[SL_ERR_MSG_MAX];      /* primary: lowercase, names the object */
    char detail[SL_ERR_MSG_MAX];   /* optional */
    char hint[SL_ERR_MSG_MAX];     /* optional */
};


/* The symbolic name of a status, e.g. "SL_ENOMEM"; "SL_E?" for unknown codes. */
const char *sl_err_name(int code);

/* A short English description of a status; never NULL. */
const char *sl_strerror(int code);

/* Reset an error record to "no error". err may be NULL. */
void sl_err_clear(struct sl_err *err);

/*
 * Fill err (if not NULL and not already set) with code and a printf-style
 * primary message. Returns code, so callers can write
 * `return sl_err_set(err, SL_EIO, "cannot open \"%s\"", path);`.
 * A record that already holds an error keeps its first cause.
 */
int sl_err_set(struct sl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like sl_err_set, adding errno-style source code and its text as detail. */
int sl_err_errno(struct sl_err *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set the detail / hint of an already-set error (printf-style). */
void sl_err_detail(struct sl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_err_hint(struct sl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Map an errno value to the closest SL_E* code (ENOSPC -> SL_ENOSPC, ...). */
int sl_err_from_errno(int errnum);

/* Format "error: msg\ndetail: ...\nhint: ..." into out (always terminated). */
void sl_err_format(const struct sl_err *err, char *out, size_t cap);

#endif
