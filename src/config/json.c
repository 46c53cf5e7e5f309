/*
 * json: the jansson adapter, the only file that includes <jansson.h>.
 *
 * jansson parses and validates the text; its values carry no positions, so
 * a small scanner walks the same (by then known valid) text and records the
 * line of every key and every value in document order. A pre-order walk of
 * jansson's tree, which keeps object members in insertion order, consumes
 * those lines one by one. Duplicate keys are rejected so both orders match.
 *
 * jansson's messages quote the offending token ("... near 'abc'"); that
 * quotation is cut off because the token may be a password.
 */
#include "config/doc.h"

#include "core/arena.h"
#include "core/err.h"

#include <jansson.h>

#include <stdio.h>
#include <string.h>

struct conv {
    struct arena *a;
    const int *lines; /* line of each key and value, document order */
    size_t nlines;
    size_t next;
};

/*
 * Record the line of every key and value start of valid JSON text into
 * lines (when not NULL); returns how many there are. Strings cannot span
 * lines in JSON, so only the structure and the string bodies matter; a
 * key and a value are recorded alike, which is the order a pre-order walk
 * asks for them.
 */
static size_t scan_lines(const char *s, size_t len, int *lines)
{
    size_t n = 0, i = 0;
    int line = 1;

    while (i < len) {
        char ch = s[i];
        if (ch == '\n') {
            line++;
            i++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ':' || ch == ',') {
            i++;
        } else if (ch == '{' || ch == '[') {
            if (lines)
                lines[n] = line;
            n++;
            i++;
        } else if (ch == '}' || ch == ']') {
            i++;
        } else {
            if (lines)
                lines[n] = line;
            n++;
            if (ch == '"') {
                for (i++; i < len && s[i] != '"'; i++)
                    if (s[i] == '\\')
                        i++;
                i++;
            } else {
                while (i < len && !strchr(",}] \t\r\n", s[i]))
                    i++;
            }
        }
    }
    return n;
}

static int take_line(struct conv *c)
{
    return c->next < c->nlines ? c->lines[c->next++] : 0;
}

static int convert(struct conv *c, json_t *v, int line, struct doc_node **out);

static int convert_object(struct conv *c, json_t *v, struct doc_node *d)
{
    const char *key;
    json_t *member;
    size_t i = 0;
    int rc = 0;

    d->pairs =
        arena_alloc(c->a, (json_object_size(v) ? json_object_size(v) : 1) * sizeof *d->pairs);
    if (!d->pairs)
        return SL_ENOMEM;
    json_object_foreach(v, key, member)
    {
        struct doc_pair *dp = &d->pairs[i];
        dp->line = take_line(c);
        dp->key = arena_strdup(c->a, key);
        if (!dp->key)
            return SL_ENOMEM;
        rc = convert(c, member, take_line(c), &dp->value);
        if (rc)
            return rc;
        i++;
    }
    d->npairs = i;
    return 0;
}

static int convert_array(struct conv *c, json_t *v, struct doc_node *d)
{
    size_t i, n = json_array_size(v);
    int rc;

    d->items = arena_alloc(c->a, (n ? n : 1) * sizeof *d->items);
    if (!d->items)
        return SL_ENOMEM;
    for (i = 0; i < n; i++) {
        rc = convert(c, json_array_get(v, i), take_line(c), &d->items[i]);
        if (rc)
            return rc;
    }
    d->nitems = n;
    return 0;
}

static int convert(struct conv *c, json_t *v, int line, struct doc_node **out)
{
    struct doc_node *d = arena_alloc(c->a, sizeof *d);
    if (!d)
        return SL_ENOMEM;
    memset(d, 0, sizeof *d);
    d->line = line;
    *out = d;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        d->kind = DOC_MAP;
        return convert_object(c, v, d);
    case JSON_ARRAY:
        d->kind = DOC_SEQ;
        return convert_array(c, v, d);
    case JSON_STRING:
        d->kind = DOC_SCALAR;
        d->text = arena_strndup(c->a, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        d->kind = DOC_SCALAR;
        d->text = arena_printf(c->a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        d->kind = DOC_SCALAR;
        d->text = arena_printf(c->a, "%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        d->kind = DOC_SCALAR;
        d->text = json_is_true(v) ? "true" : "false";
        break;
    case JSON_NULL:
        return 0;
    }
    return d->text ? 0 : SL_ENOMEM;
}

int json_doc_parse(const char *text, size_t len, const char *name, struct arena *a,
                   struct doc_node **root, struct sl_err *err)
{
    json_error_t jerr;
    json_t *j = NULL;
    struct conv c = {a, NULL, 0, 0};
    int *lines = NULL;
    char *near;
    int rc = 0;

    *root = NULL;
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        /* "invalid token near 'hunter2'": drop the quotation, keep the reason. */
        near = strstr(jerr.text, " near ");
        if (near)
            *near = '\0';
        rc = sl_err_set(err, SL_ECONFIG, "invalid JSON: %s (%s line %d, column %d)", jerr.text,
                        name, jerr.line, jerr.column);
        goto out;
    }
    c.nlines = scan_lines(text, len, NULL);
    lines = arena_alloc(a, (c.nlines ? c.nlines : 1) * sizeof *lines);
    if (!lines) {
        rc = SL_ENOMEM;
        goto out;
    }
    scan_lines(text, len, lines);
    c.lines = lines;
    rc = convert(&c, j, take_line(&c), root);
out:
    if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory parsing %s", name);
    json_decref(j);
    if (rc)
        *root = NULL;
    return rc;
}
