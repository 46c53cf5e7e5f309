/*
 * json: the jansson adapter, the only file in sluice that includes
 * <jansson.h>. See json.h for the tree it returns.
 *
 * jansson parses and validates the text; its values carry no positions, so
 * a small scanner walks the same (by then known valid) text alongside the
 * conversion and hands out the line of every key and value in document
 * order. The conversion is a pre-order walk of jansson's tree, which keeps
 * object members in insertion order (jansson >= 2.8), and duplicate keys
 * are rejected, so both orders match.
 *
 * jansson keeps its own allocator (malloc): json_set_alloc_funcs() is
 * process-wide state, which STYLE rule 15 keeps out of core. Allocation
 * failure sweeps therefore reach this file only through the arena; if
 * jansson itself runs out of memory, the text is reported as not JSON with
 * jansson's "out of memory" reason.
 */
#include "core/json.h"

#include "core/arena.h"
#include "core/err.h"

#include <jansson.h>

#include <stdio.h>
#include <string.h>

/*
 * A cursor over valid JSON text that yields the line of each key and value
 * start. Strings cannot span lines in JSON, so only the structure and the
 * string bodies matter; a key and a value are yielded alike, which is the
 * order the pre-order walk asks for them.
 */
struct scan {
    const char *s;
    size_t len;
    size_t i;
    int line;
};

/* Skip the token (string, number or literal) at sc->i. */
static void scan_skip_token(struct scan *sc)
{
    if (sc->s[sc->i] == '"') {
        for (sc->i++; sc->i < sc->len && sc->s[sc->i] != '"'; sc->i++)
            if (sc->s[sc->i] == '\\')
                sc->i++;
        sc->i++;
        return;
    }
    while (sc->i < sc->len && !memchr(",}] \t\r\n", sc->s[sc->i], 7))
        sc->i++;
}

/* The line of the next key or value start; 0 past the end (a bug). */
static int scan_next(struct scan *sc)
{
    while (sc->i < sc->len) {
        char ch = sc->s[sc->i];
        int line = sc->line;
        if (ch == '\n') {
            sc->line++;
            sc->i++;
        } else if (memchr(" \t\r:,}]", ch, 7)) {
            sc->i++;
        } else if (ch == '{' || ch == '[') {
            sc->i++;
            return line;
        } else {
            scan_skip_token(sc);
            return line;
        }
    }
    return 0;
}

struct conv {
    struct arena *a;
    struct scan sc;
};

static int convert(struct conv *c, json_t *j, struct json_val *v);

static int convert_object(struct conv *c, json_t *j, struct json_val *v)
{
    const char *key;
    json_t *member;
    int *key_lines = NULL;
    size_t k = 0;
    int rc = 0;

    v->n = json_object_size(j);
    if (v->n == 0)
        return 0;
    v->items = arena_alloc(c->a, v->n * sizeof *v->items);
    v->keys = arena_alloc(c->a, v->n * sizeof *v->keys);
    key_lines = arena_alloc(c->a, v->n * sizeof *key_lines);
    if (!v->items || !v->keys || !key_lines)
        return SL_ENOMEM;
    v->key_lines = key_lines;
    json_object_foreach(j, key, member)
    {
        key_lines[k] = scan_next(&c->sc);
        v->keys[k] = arena_strdup(c->a, key);
        if (!v->keys[k])
            return SL_ENOMEM;
        rc = convert(c, member, &v->items[k++]);
        if (rc)
            return rc;
    }
    return 0;
}

static int convert_array(struct conv *c, json_t *j, struct json_val *v)
{
    int rc = 0;

    v->n = json_array_size(j);
    if (v->n == 0)
        return 0;
    v->items = arena_alloc(c->a, v->n * sizeof *v->items);
    if (!v->items)
        return SL_ENOMEM;
    for (size_t k = 0; rc == 0 && k < v->n; k++)
        rc = convert(c, json_array_get(j, k), &v->items[k]);
    return rc;
}

/* Convert jansson's value j into v; 0 or SL_ENOMEM. */
static int convert(struct conv *c, json_t *j, struct json_val *v)
{
    memset(v, 0, sizeof *v);
    v->line = scan_next(&c->sc);
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v->kind = JV_OBJ;
        return convert_object(c, j, v);
    case JSON_ARRAY:
        v->kind = JV_ARR;
        return convert_array(c, j, v);
    case JSON_STRING:
        v->kind = JV_STR;
        v->s = arena_strndup(c->a, json_string_value(j), json_string_length(j));
        return v->s ? 0 : SL_ENOMEM;
    case JSON_INTEGER:
        v->kind = JV_INT;
        v->i = (int64_t)json_integer_value(j);
        return 0;
    case JSON_REAL:
        v->kind = JV_REAL;
        v->r = json_real_value(j);
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        v->kind = JV_BOOL;
        v->b = json_is_true(j);
        return 0;
    case JSON_NULL:
        v->kind = JV_NULL;
        return 0;
    }
    return 0;
}

int json_parse(const char *text, size_t len, unsigned flags, struct arena *a, struct json_val **out,
               struct json_parse_error *perr)
{
    json_error_t jerr;
    json_t *root = NULL;
    struct conv c = {a, {text, len, 0, 1}};
    struct json_val *v = NULL;
    size_t jflags = JSON_REJECT_DUPLICATES;
    int rc = 0;

    _Static_assert(sizeof(json_int_t) == sizeof(int64_t), "jansson integers are 64-bit");
    *out = NULL;
    if (flags & JSON_PARSE_ANY)
        jflags |= JSON_DECODE_ANY;
    root = json_loadb(text, len, jflags, &jerr);
    if (!root) {
        perr->line = jerr.line;
        perr->column = jerr.column;
        snprintf(perr->text, sizeof perr->text, "%s", jerr.text);
        rc = SL_ECORRUPT;
        goto out;
    }
    v = arena_alloc(a, sizeof *v);
    rc = v ? convert(&c, root, v) : SL_ENOMEM;
    if (rc == 0)
        *out = v;
out:
    json_decref(root);
    return rc;
}
