/*
 * err: the status table and the error record. See err.h.
 */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sl_err_name(int code)
{
    switch (code) {
#define SL_ERR_NAME(name, value, desc)                                         \
    case value:                                                                \
        return "SL_E" #name;
        SL_ERRNO_MAP(SL_ERR_NAME)
#undef SL_ERR_NAME
    }
    return "SL_E?";
}

const char *sl_strerror(int code)
{
    switch (code) {
#define SL_ERR_DESC(name, value, desc)                                         \
    case value:                                                                \
        return desc;
        SL_ERRNO_MAP(SL_ERR_DESC)
#undef SL_ERR_DESC
    }
    return "unknown error";
}

void sl_err_clear(struct sl_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static int err_vset(struct sl_err *err, int code, const char *fmt, va_list ap)
{
    if (!err || err->code != 0)
        return code;
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int sl_err_set(struct sl_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int sl_err_errno(struct sl_err *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    int fresh = err && err->code == 0;
    va_start(ap, fmt);
    err_vset(err, code, fmt, ap);
    va_end(ap);
    if (fresh) {
        char buf[256];
        /* GNU strerror_r may return a static string instead of filling buf. */
        const char *s = strerror_r(errnum, buf, sizeof buf);
        err->source_code = errnum;
        snprintf(err->detail, sizeof err->detail, "%s", s);
    }
    return code;
}

void sl_err_detail(struct sl_err *err, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void sl_err_hint(struct sl_err *err, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

int sl_err_from_errno(int errnum)
{
    switch (errnum) {
    case 0:
        return SL_OK;
    case ENOMEM:
        return SL_ENOMEM;
    case ENOSPC:
    case EDQUOT:
        return SL_ENOSPC;
    case ENOENT:
        return SL_ENOTFOUND;
    case EEXIST:
        return SL_EEXIST;
    case EINVAL:
        return SL_EINVAL;
    case ETIMEDOUT:
        return SL_ETIMEOUT;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
        return SL_ECONNECT;
    case EPIPE:
    case ECONNRESET:
        return SL_ECLOSED;
    case EBUSY:
    case EWOULDBLOCK:
        return SL_EBUSY;
    default:
        return SL_EIO;
    }
}

void sl_err_format(const struct sl_err *err, char *out, size_t cap)
{
    size_t n;
    if (cap == 0)
        return;
    n = (size_t)snprintf(out, cap, "error: %s", err->msg[0] ? err->msg : sl_strerror(err->code));
    if (n < cap && err->detail[0])
        n += (size_t)snprintf(out + n, cap - n, "\ndetail: %s", err->detail);
    if (n < cap && err->hint[0])
        snprintf(out + n, cap - n, "\nhint: %s", err->hint);
}
