/*
 * yaml: the libfyaml adapter, the only file that includes <libfyaml.h>.
 *
 * Parses one YAML 1.2 document (anchors, aliases and merge keys resolved)
 * and copies it into the neutral tree of doc.h, so that nothing of libfyaml
 * outlives this file's functions. libfyaml's own diagnostics are collected
 * instead of printed: it would otherwise echo the offending source line to
 * stderr, and that line may hold a password.
 *
 * Limits: mapping and sequence nodes carry no position of their own in
 * libfyaml's document API; they take the line of the key that holds them
 * (or of their first entry at the top), which is the line a reader looks at
 * anyway. Allocation failures inside libfyaml are reported as SL_ENOMEM only
 * when libfyaml itself says so; the sweep in the unit tests reaches our
 * allocations, not libfyaml's malloc calls.
 */
#include "config/doc.h"

#include "core/arena.h"
#include "core/err.h"

#include <libfyaml.h>

#include <stdio.h>
#include <string.h>

struct conv {
    struct arena *a;
    const char *name;
    struct sl_err *err;
};

static void quiet_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* 1-based line of a scalar node, else fallback. */
static int scalar_line(struct fy_node *fyn, int fallback)
{
    struct fy_token *t;
    const struct fy_mark *m;
    if (!fyn || fy_node_get_type(fyn) != FYNT_SCALAR)
        return fallback;
    t = fy_node_get_scalar_token(fyn);
    m = t ? fy_token_start_mark(t) : NULL;
    return m ? m->line + 1 : fallback;
}

/* Plain scalars that YAML 1.2's core schema reads as null. */
static int is_plain_null(struct fy_node *fyn, const char *s, size_t len)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL"};
    size_t i;
    if (fy_node_get_style(fyn) != FYNS_PLAIN)
        return 0;
    if (len == 0)
        return 1;
    for (i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strlen(nulls[i]) == len && memcmp(nulls[i], s, len) == 0)
            return 1;
    return 0;
}

static int convert(struct conv *c, struct fy_node *fyn, int line, struct doc_node **out);

static int convert_map(struct conv *c, struct fy_node *fyn, struct doc_node *d)
{
    void *iter = NULL;
    struct fy_node_pair *p;
    size_t i = 0, n = (size_t)fy_node_mapping_item_count(fyn);
    int rc = 0;

    d->pairs = arena_alloc(c->a, (n ? n : 1) * sizeof *d->pairs);
    if (!d->pairs)
        return SL_ENOMEM;
    while ((p = fy_node_mapping_iterate(fyn, &iter)) != NULL && i < n) {
        struct fy_node *k = fy_node_pair_key(p);
        struct doc_pair *dp = &d->pairs[i];
        const char *ks;
        size_t klen = 0;

        dp->line = scalar_line(k, d->line);
        ks = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar(k, &klen) : NULL;
        if (!ks || memchr(ks, '\0', klen)) {
            rc = sl_err_set(c->err, SL_ECONFIG, "keys must be plain names (%s line %d)", c->name,
                            dp->line);
            sl_err_hint(c->err, "write key: value; lists and mappings cannot be keys");
            goto out;
        }
        dp->key = arena_strndup(c->a, ks, klen);
        if (!dp->key) {
            rc = SL_ENOMEM;
            goto out;
        }
        rc = convert(c, fy_node_pair_value(p), dp->line, &dp->value);
        if (rc)
            goto out;
        i++;
    }
    d->npairs = i;
    if (d->line == 0) /* the top-level mapping starts at its first key */
        d->line = i > 0 ? d->pairs[0].line : 1;
out:
    return rc;
}

static int convert_seq(struct conv *c, struct fy_node *fyn, struct doc_node *d)
{
    void *iter = NULL;
    struct fy_node *item;
    size_t i = 0, n = (size_t)fy_node_sequence_item_count(fyn);
    int rc = 0;

    d->items = arena_alloc(c->a, (n ? n : 1) * sizeof *d->items);
    if (!d->items)
        return SL_ENOMEM;
    while ((item = fy_node_sequence_iterate(fyn, &iter)) != NULL && i < n) {
        rc = convert(c, item, scalar_line(item, d->line), &d->items[i]);
        if (rc)
            return rc;
        i++;
    }
    d->nitems = i;
    return rc;
}

/* Copy fyn (NULL = empty value) into a new doc node; line is its fallback line. */
static int convert(struct conv *c, struct fy_node *fyn, int line, struct doc_node **out)
{
    struct doc_node *d = arena_alloc(c->a, sizeof *d);
    const char *s;
    size_t len = 0;

    if (!d)
        return SL_ENOMEM;
    memset(d, 0, sizeof *d);
    d->line = line;
    *out = d;
    if (!fyn)
        return 0;
    switch (fy_node_get_type(fyn)) {
    case FYNT_SCALAR:
        d->line = scalar_line(fyn, line);
        s = fy_node_get_scalar(fyn, &len);
        if (!s || is_plain_null(fyn, s, len))
            return 0;
        d->kind = DOC_SCALAR;
        d->text = arena_strndup(c->a, s, len);
        return d->text ? 0 : SL_ENOMEM;
    case FYNT_MAPPING:
        d->kind = DOC_MAP;
        return convert_map(c, fyn, d);
    case FYNT_SEQUENCE:
        d->kind = DOC_SEQ;
        return convert_seq(c, fyn, d);
    }
    return 0;
}

/* Fill err from the first error libfyaml collected; SL_ENOTFOUND when it collected none. */
static int syntax_error(struct fy_diag *diag, const char *name, struct sl_err *err)
{
    void *iter = NULL;
    struct fy_diag_error *e;
    while (diag && (e = fy_diag_errors_iterate(diag, &iter)) != NULL) {
        if (e->type != FYET_ERROR)
            continue;
        return sl_err_set(err, SL_ECONFIG, "invalid YAML: %s (%s line %d, column %d)", e->msg, name,
                          e->line + 1, e->column + 1);
    }
    return SL_ENOTFOUND;
}

int yaml_doc_parse(const char *text, size_t len, const char *name, struct arena *a,
                   struct doc_node **root, struct sl_err *err)
{
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag = NULL;
    struct fy_parse_cfg pcfg;
    struct fy_document *fyd = NULL;
    struct conv c = {a, name, err};
    int rc = 0;

    *root = NULL;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = quiet_output;
    dcfg.colorize = false;
    diag = fy_diag_create(&dcfg);
    if (!diag) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory parsing %s", name);
        goto out;
    }
    fy_diag_set_collect_errors(diag, true);
    memset(&pcfg, 0, sizeof pcfg);
    pcfg.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE;
    pcfg.diag = diag;
    fyd = fy_document_build_from_string(&pcfg, text, len);
    if (!fyd) {
        /* libfyaml builds no document from an empty stream (or one of only
         * comments) and collects no error for it: that is an empty config. */
        rc = syntax_error(diag, name, err);
        if (rc == SL_ENOTFOUND)
            rc = convert(&c, NULL, 1, root);
        goto out;
    }
    rc = convert(&c, fy_document_root(fyd), 0, root);
    if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory parsing %s", name);
out:
    fy_document_destroy(fyd);
    if (diag)
        fy_diag_destroy(diag);
    if (rc)
        *root = NULL;
    return rc;
}
