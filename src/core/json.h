/*
 * json: JSON text to a neutral tree. json.c is the jansson adapter and the
 * only file in sluice that includes <jansson.h> (STYLE rule 14); config's
 * JSON syntax and the state files both parse through it.
 *
 * It owns parsing only. Writing JSON stays with the modules that need
 * particular bytes (state/json.c has a deterministic writer), and what a
 * value means (a port, a watermark) stays with the caller.
 *
 * The tree lives in a caller-given arena and is borrowed until that arena is
 * reset or freed; no jansson type crosses the file boundary. Invariants of
 * a tree json_parse() returns:
 *   - objects keep their members in document order and have no duplicate
 *     keys (a duplicate is a syntax error);
 *   - integers are exact int64 (a larger one is a syntax error); a number
 *     with a fraction or an exponent is JV_REAL;
 *   - strings are valid UTF-8 with \u escapes (surrogate pairs included)
 *     decoded, NUL-terminated and never hold a NUL (\u0000 is refused);
 *   - every value, and every object key, carries the 1-based line it
 *     starts on, so callers can point at the line of a bad setting.
 */
#ifndef SL_CORE_JSON_H
#define SL_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum json_val_kind { JV_NULL = 0, JV_BOOL, JV_INT, JV_REAL, JV_STR, JV_ARR, JV_OBJ };

struct json_val {
    enum json_val_kind kind;
    int line;               /* 1-based line the value starts on */
    bool b;                 /* JV_BOOL */
    int64_t i;              /* JV_INT */
    double r;               /* JV_REAL */
    const char *s;          /* JV_STR: NUL-terminated (holds no NUL inside) */
    size_t n;               /* JV_ARR, JV_OBJ: number of items / members */
    const char **keys;      /* JV_OBJ: member names, document order */
    const int *key_lines;   /* JV_OBJ: 1-based line of each member name */
    struct json_val *items; /* JV_ARR, JV_OBJ: values */
};

/* Flags of json_parse(). */
#define JSON_PARSE_ANY 0x1u /* accept any value at the top, not only an object or array */

#define JSON_PARSE_TEXT_MAX 160

/* Where and why a text is not JSON. */
struct json_parse_error {
    int line;   /* 1-based line of the last character read */
    int column; /* 1-based, in characters (not bytes); 0 when none was read on that line */
    /*
     * The reason in English, e.g. "unexpected token near '}'". It may quote
     * the offending token, so a caller parsing secrets cuts it off.
     */
    char text[JSON_PARSE_TEXT_MAX];
};

/*
 * Parse text[0..len) as one JSON document into a tree allocated from a.
 * Without JSON_PARSE_ANY in flags the top value must be an object or an
 * array. Returns 0 with *out set (borrowed from a); SL_ECORRUPT when the
 * text is not JSON, with *perr filled; SL_ENOMEM when a runs out. On failure
 * *out is NULL and a may hold a partial tree (reclaimed with the arena).
 */
int json_parse(const char *text, size_t len, unsigned flags, struct arena *a, struct json_val **out,
               struct json_parse_error *perr);

#endif
