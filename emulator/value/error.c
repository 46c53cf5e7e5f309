/*
 * error: filling struct value_error, the SQL Server message every
 * conversion failure in this library reports.
 */
#include "value/value.h"

#include <stdarg.h>
#include <stdio.h>

void value_error_set(struct value_error *e, int32_t number, const char *fmt, ...)
{
    va_list ap;
    if (!e)
        return;
    e->number = number;
    e->severity = 16;
    e->state = 1;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}
