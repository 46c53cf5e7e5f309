/*
 * json: the JSON text of the state files. Emitting is our own small writer
 * (deterministic key order and spacing, so the files have golden bytes);
 * parsing goes through core/json.h (the jansson adapter) and adds the state
 * module's messages and lookups.
 *
 * The writer appends to a caller-owned struct buf. Errors are sticky: every
 * json_out_* call after a failure does nothing, and json_out_finish()
 * returns the first failure, so a file is composed as a flat list of calls
 * with one check at the end. Strings are written as UTF-8; invalid UTF-8 is
 * replaced by U+FFFD (the parser would refuse to read it back), control
 * characters are escaped.
 *
 * The parser returns core/json.h's neutral tree (struct json_val), which
 * lives in a caller-given arena (borrowed until that arena is reset or
 * freed). Objects keep document order and duplicate keys are rejected.
 * Integers are exact int64; a number with a fraction or an exponent is
 * JV_REAL.
 *
 * Lifecycle of a writer: json_out_init -> json_out_* ... -> json_out_finish.
 */
#ifndef SL_STATE_JSON_H
#define SL_STATE_JSON_H

#include "core/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct sl_err;

#define JSON_OUT_MAX_DEPTH 16

struct json_out {
    struct buf *b;                    /* borrowed; output is appended */
    bool pretty;                      /* two-space indentation, one member per line */
    int depth;                        /* open containers */
    int status;                       /* first failure, sticky */
    size_t count[JSON_OUT_MAX_DEPTH]; /* members written per open container */
};

/* Start writing into b (borrowed until json_out_finish). */
void json_out_init(struct json_out *o, struct buf *b, bool pretty);

/*
 * Each call writes one member. key is the member name inside an object and
 * must be NULL inside an array or at the top level.
 */
void json_out_object_begin(struct json_out *o, const char *key);
void json_out_object_end(struct json_out *o);
void json_out_array_begin(struct json_out *o, const char *key);
void json_out_array_end(struct json_out *o);
void json_out_string(struct json_out *o, const char *key, const char *s);
void json_out_int(struct json_out *o, const char *key, int64_t v);
void json_out_bool(struct json_out *o, const char *key, bool v);
void json_out_null(struct json_out *o, const char *key);

/*
 * Close the document: checks that every container was closed, appends a
 * newline when pretty. Returns 0, SL_ENOMEM, SL_ELIMIT (buffer limit) or
 * SL_EINVAL (unbalanced or too deep: a bug in the caller).
 */
int json_out_finish(struct json_out *o);

/* Append s as a JSON string literal (quotes included) to b. 0 or SL_E*. */
int json_quote(struct buf *b, const char *s);

/*
 * Parse text[0..len) as one JSON document into a tree allocated from a.
 * name is the file named in messages. Returns 0 with *out set; SL_ECORRUPT
 * with "invalid JSON in \"name\": ... (line L, column C)"; SL_ENOMEM.
 * Strings with an embedded NUL are refused (SL_ECORRUPT): state files never
 * hold one.
 */
int json_tree_parse(const char *text, size_t len, const char *name, struct arena *a,
                    struct json_val **out, struct sl_err *err);

/* The member key of obj, or NULL (also when obj is not an object). */
const struct json_val *json_tree_get(const struct json_val *obj, const char *key);

/* The string member key of obj, or NULL when missing or not a string. */
const char *json_tree_str(const struct json_val *obj, const char *key);

/* Set *v to the integer member key of obj; false when missing or not an integer. */
bool json_tree_int(const struct json_val *obj, const char *key, int64_t *v);

#endif
