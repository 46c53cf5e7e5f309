/*
 * json: config's JSON syntax adapter. core/json.c (the jansson adapter)
 * parses the text into its neutral tree, with the line of every key and
 * value; this file turns that tree into the doc tree config.c validates.
 *
 * Both trees live in the caller's arena, so scalars and keys are shared,
 * not copied; the core tree itself is left behind in the arena (config
 * files are small, and the arena's lifetime is one load).
 *
 * The parser's messages quote the offending token ("... near 'abc'"); that
 * quotation is cut off because the token may be a password.
 */
#include "config/doc.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"

#include <inttypes.h>
#include <string.h>

static int convert(struct arena *a, const struct json_val *v, struct doc_node **out);

static int convert_object(struct arena *a, const struct json_val *v, struct doc_node *d)
{
    int rc;

    d->pairs = arena_alloc(a, (v->n ? v->n : 1) * sizeof *d->pairs);
    if (!d->pairs)
        return SL_ENOMEM;
    for (size_t i = 0; i < v->n; i++) {
        d->pairs[i].key = v->keys[i];
        d->pairs[i].line = v->key_lines[i];
        rc = convert(a, &v->items[i], &d->pairs[i].value);
        if (rc)
            return rc;
    }
    d->npairs = v->n;
    return 0;
}

static int convert_array(struct arena *a, const struct json_val *v, struct doc_node *d)
{
    int rc;

    d->items = arena_alloc(a, (v->n ? v->n : 1) * sizeof *d->items);
    if (!d->items)
        return SL_ENOMEM;
    for (size_t i = 0; i < v->n; i++) {
        rc = convert(a, &v->items[i], &d->items[i]);
        if (rc)
            return rc;
    }
    d->nitems = v->n;
    return 0;
}

static int convert(struct arena *a, const struct json_val *v, struct doc_node **out)
{
    struct doc_node *d = arena_alloc(a, sizeof *d);
    if (!d)
        return SL_ENOMEM;
    memset(d, 0, sizeof *d);
    d->line = v->line;
    *out = d;
    switch (v->kind) {
    case JV_OBJ:
        d->kind = DOC_MAP;
        return convert_object(a, v, d);
    case JV_ARR:
        d->kind = DOC_SEQ;
        return convert_array(a, v, d);
    case JV_STR:
        d->kind = DOC_SCALAR;
        d->text = v->s;
        break;
    case JV_INT:
        d->kind = DOC_SCALAR;
        d->text = arena_printf(a, "%" PRId64, v->i);
        break;
    case JV_REAL:
        d->kind = DOC_SCALAR;
        d->text = arena_printf(a, "%.17g", v->r);
        break;
    case JV_BOOL:
        d->kind = DOC_SCALAR;
        d->text = v->b ? "true" : "false";
        break;
    case JV_NULL:
        return 0;
    }
    return d->text ? 0 : SL_ENOMEM;
}

int json_doc_parse(const char *text, size_t len, const char *name, struct arena *a,
                   struct doc_node **root, struct sl_err *err)
{
    struct json_parse_error perr;
    struct json_val *v = NULL;
    char *near;
    int rc;

    *root = NULL;
    rc = json_parse(text, len, 0, a, &v, &perr);
    if (rc == SL_ECORRUPT) {
        /* "invalid token near 'hunter2'": drop the quotation, keep the reason. */
        near = strstr(perr.text, " near ");
        if (near)
            *near = '\0';
        rc = sl_err_set(err, SL_ECONFIG, "invalid JSON: %s (%s line %d, column %d)", perr.text,
                        name, perr.line, perr.column);
    } else if (rc == 0) {
        rc = convert(a, v, root);
    }
    if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory parsing %s", name);
    if (rc)
        *root = NULL;
    return rc;
}
