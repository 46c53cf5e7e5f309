/*
 * json: own emitter for the state files, and their parsing on top of
 * core/json.h. See json.h.
 */
#include "state/json.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"

#include <inttypes.h>
#include <string.h>

void json_out_init(struct json_out *o, struct buf *b, bool pretty)
{
    memset(o, 0, sizeof *o);
    o->b = b;
    o->pretty = pretty;
}

static void out_status(struct json_out *o, int rc)
{
    if (rc != 0 && o->status == 0)
        o->status = rc;
}

static void out_indent(struct json_out *o, int depth)
{
    out_status(o, buf_append_byte(o->b, '\n'));
    for (int i = 0; i < depth && o->status == 0; i++)
        out_status(o, buf_append(o->b, "  ", 2));
}

/* Separator, indentation and "key": before a member. */
static void out_member(struct json_out *o, const char *key)
{
    if (o->status != 0)
        return;
    if (o->depth > 0) {
        if (o->count[o->depth - 1]++ > 0)
            out_status(o, buf_append_byte(o->b, ','));
        if (o->pretty)
            out_indent(o, o->depth);
    }
    if (key) {
        out_status(o, json_quote(o->b, key));
        out_status(o, buf_append(o->b, o->pretty ? ": " : ":", o->pretty ? 2 : 1));
    }
}

static void out_open(struct json_out *o, const char *key, char ch)
{
    out_member(o, key);
    if (o->status != 0)
        return;
    if (o->depth >= JSON_OUT_MAX_DEPTH) {
        o->status = SL_EINVAL;
        return;
    }
    out_status(o, buf_append_byte(o->b, (uint8_t)ch));
    o->count[o->depth++] = 0;
}

static void out_close(struct json_out *o, char ch)
{
    if (o->status != 0)
        return;
    if (o->depth == 0) {
        o->status = SL_EINVAL;
        return;
    }
    o->depth--;
    if (o->pretty && o->count[o->depth] > 0)
        out_indent(o, o->depth);
    out_status(o, buf_append_byte(o->b, (uint8_t)ch));
}

void json_out_object_begin(struct json_out *o, const char *key)
{
    out_open(o, key, '{');
}

void json_out_object_end(struct json_out *o)
{
    out_close(o, '}');
}

void json_out_array_begin(struct json_out *o, const char *key)
{
    out_open(o, key, '[');
}

void json_out_array_end(struct json_out *o)
{
    out_close(o, ']');
}

void json_out_string(struct json_out *o, const char *key, const char *s)
{
    out_member(o, key);
    if (o->status == 0)
        out_status(o, json_quote(o->b, s));
}

void json_out_int(struct json_out *o, const char *key, int64_t v)
{
    out_member(o, key);
    if (o->status == 0)
        out_status(o, buf_appendf(o->b, "%" PRId64, v));
}

void json_out_bool(struct json_out *o, const char *key, bool v)
{
    out_member(o, key);
    if (o->status == 0)
        out_status(o, buf_append_str(o->b, v ? "true" : "false"));
}

void json_out_null(struct json_out *o, const char *key)
{
    out_member(o, key);
    if (o->status == 0)
        out_status(o, buf_append_str(o->b, "null"));
}

int json_out_finish(struct json_out *o)
{
    if (o->status == 0 && o->depth != 0)
        o->status = SL_EINVAL;
    if (o->status == 0 && o->pretty)
        out_status(o, buf_append_byte(o->b, '\n'));
    return o->status;
}

int json_quote(struct buf *b, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s), i = 0;
    int rc = buf_append_byte(b, '"');

    while (rc == 0 && i < n) {
        size_t start = i;
        int32_t cp = utf8_decode(p, n, &i);
        if (cp < 0) {
            rc = buf_append_str(b, "\xEF\xBF\xBD"); /* U+FFFD */
        } else if (cp == '"' || cp == '\\') {
            rc = buf_append_byte(b, '\\');
            if (rc == 0)
                rc = buf_append_byte(b, (uint8_t)cp);
        } else if (cp == '\n') {
            rc = buf_append_str(b, "\\n");
        } else if (cp == '\t') {
            rc = buf_append_str(b, "\\t");
        } else if (cp == '\r') {
            rc = buf_append_str(b, "\\r");
        } else if (cp < 0x20 || cp == 0x7F) {
            rc = buf_appendf(b, "\\u%04x", (unsigned)cp);
        } else {
            rc = buf_append(b, p + start, i - start);
        }
    }
    if (rc == 0)
        rc = buf_append_byte(b, '"');
    return rc;
}

int json_tree_parse(const char *text, size_t len, const char *name, struct arena *a,
                    struct json_val **out, struct sl_err *err)
{
    struct json_parse_error perr;
    int rc = json_parse(text, len, JSON_PARSE_ANY, a, out, &perr);

    if (rc == SL_ECORRUPT)
        sl_err_set(err, SL_ECORRUPT, "invalid JSON in \"%s\": %s (line %d, column %d)", name,
                   perr.text, perr.line, perr.column);
    else if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory reading \"%s\"", name);
    return rc;
}

const struct json_val *json_tree_get(const struct json_val *obj, const char *key)
{
    if (!obj || obj->kind != JV_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++) {
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    }
    return NULL;
}

const char *json_tree_str(const struct json_val *obj, const char *key)
{
    const struct json_val *v = json_tree_get(obj, key);
    return v && v->kind == JV_STR ? v->s : NULL;
}

bool json_tree_int(const struct json_val *obj, const char *key, int64_t *v)
{
    const struct json_val *m = json_tree_get(obj, key);
    if (!m || m->kind != JV_INT)
        return false;
    *v = m->i;
    return true;
}
