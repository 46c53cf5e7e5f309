/*
 * internal: declarations shared between the files of emulator/value only.
 * Nothing outside this directory includes it.
 */
#ifndef TL_VALUE_INTERNAL_H
#define TL_VALUE_INTERNAL_H

#include "value/value.h"

/* style.c: CONVERT(varchar, x, style) text of dates, money and floats into
 * out (>= 80 bytes). Return the length, or 0 when the style does not apply
 * (Msg 281 is the caller's). style -1 = CAST. */
size_t style_datetime(enum tl_type_id id, int scale, const struct value_datetime *dt, int style,
                      char *out);
size_t style_float(double f, bool real, int style, char *out);
size_t style_money(const struct value_decimal *d, int style, char *out);

/* text.c: case folding used by the CI collation (upper-case form). */
int32_t text_fold(int32_t cp);

/* builtins.c: registers the T-SQL built-ins on db (sqlite3 *). */
int builtins_register(void *db);

#endif
