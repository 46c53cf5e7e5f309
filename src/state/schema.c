/*
 * schema: column history and schema_version. See schema.h; the canonical
 * form is documented in docs/state.md and must stay byte-identical.
 */
#include "state/schema.h"

#include "state/fsio.h"
#include "state/json.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_FILE "schema.json"
#define SCHEMA_HASH_FORM "schema/1"
#define SCHEMA_FILE_LIMIT (64u << 20)

/* One version: columns sorted by ordinal, types normalised. */
struct sver {
    const char *version;
    const char *first_seen_at;
    struct schema_column *cols;
    size_t ncols;
    const char **pk;
    size_t npk;
};

static int by_ordinal(const void *a, const void *b)
{
    const struct schema_column *x = a, *y = b;
    return (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

/* Lowercase ASCII, no whitespace: "DECIMAL (10, 2)" -> "decimal(10,2)". */
static char *norm_type(struct arena *a, const char *t)
{
    char *o = arena_strdup(a, t), *w = o;
    for (const char *r = o; o && *r; r++) {
        if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
            continue;
        *w++ = (*r >= 'A' && *r <= 'Z') ? (char)(*r - 'A' + 'a') : *r;
    }
    if (o)
        *w = '\0';
    return o;
}

static const struct schema_column *find_col(const struct sver *v, const char *name)
{
    for (size_t i = 0; i < v->ncols; i++) {
        if (strcmp(v->cols[i].name, name) == 0)
            return &v->cols[i];
    }
    return NULL;
}

/* Copy, normalise, sort and validate the caller's columns into v. */
static int normalise(const struct schema_column *cols, size_t n, const char *const *pk, size_t npk,
                     struct arena *a, struct sver *v, struct sl_err *err)
{
    memset(v, 0, sizeof *v);
    v->cols = arena_alloc(a, (n ? n : 1) * sizeof *v->cols);
    v->pk = arena_alloc(a, (npk ? npk : 1) * sizeof *v->pk);
    if (!v->cols || !v->pk)
        return sl_err_set(err, SL_ENOMEM, "out of memory hashing a schema");
    for (size_t i = 0; i < n; i++) {
        v->cols[i] = cols[i];
        if (!cols[i].name || !cols[i].name[0] || !cols[i].sql_type || !cols[i].sql_type[0])
            return sl_err_set(err, SL_EINVAL, "column %zu has no name or no type", i + 1);
        v->cols[i].sql_type = norm_type(a, cols[i].sql_type);
        if (!v->cols[i].sql_type)
            return sl_err_set(err, SL_ENOMEM, "out of memory hashing a schema");
    }
    v->ncols = n;
    if (n > 1)
        qsort(v->cols, n, sizeof *v->cols, by_ordinal);
    for (size_t i = 0; i + 1 < n; i++) {
        if (v->cols[i].ordinal == v->cols[i + 1].ordinal)
            return sl_err_set(err, SL_EINVAL, "columns \"%s\" and \"%s\" share ordinal %d",
                              v->cols[i].name, v->cols[i + 1].name, v->cols[i].ordinal);
    }
    for (size_t i = 0; i < n; i++) {
        if (find_col(v, v->cols[i].name) != &v->cols[i])
            return sl_err_set(err, SL_EINVAL, "column \"%s\" is listed twice", v->cols[i].name);
    }
    for (size_t i = 0; i < npk; i++) {
        if (!pk[i] || !find_col(v, pk[i]))
            return sl_err_set(err, SL_EINVAL, "primary key column \"%s\" is not a column",
                              pk[i] ? pk[i] : "(null)");
        v->pk[i] = pk[i];
    }
    v->npk = npk;
    return 0;
}

/* FNV-1a 64 over the canonical form (docs/state.md "schema_version"). */
static int canon_hash(const struct sver *v, char *out)
{
    uint64_t h = 0xcbf29ce484222325u;
    struct buf b;
    int rc;

    buf_init(&b, 0);
    rc = buf_append_str(&b, SCHEMA_HASH_FORM "\n");
    for (size_t i = 0; rc == 0 && i < v->ncols; i++) {
        const struct schema_column *c = &v->cols[i];
        rc = buf_appendf(&b, "col %d %d %zu:%s %zu:%s\n", c->ordinal, c->nullable ? 1 : 0,
                         strlen(c->name), c->name, strlen(c->sql_type), c->sql_type);
    }
    for (size_t i = 0; rc == 0 && i < v->npk; i++)
        rc = buf_appendf(&b, "pk %zu:%s\n", strlen(v->pk[i]), v->pk[i]);
    for (size_t i = 0; rc == 0 && i < b.len; i++) {
        h ^= b.data[i];
        h *= 0x100000001b3u;
    }
    if (rc == 0)
        snprintf(out, SCHEMA_VERSION_LEN + 1, "%016" PRIx64, h);
    buf_free(&b);
    return rc;
}

int schema_hash(const struct schema_column *cols, size_t n, const char *const *pk, size_t npk,
                char *out, struct sl_err *err)
{
    struct arena a;
    struct sver v;
    int rc;

    arena_init(&a, 4096, 0);
    rc = normalise(cols, n, pk, npk, &a, &v, err);
    if (rc == 0 && (rc = canon_hash(&v, out)) != 0)
        sl_err_set(err, rc, "out of memory hashing a schema");
    arena_free(&a);
    return rc;
}

/* One version object of the file into v; 0, SL_ECORRUPT or SL_ENOMEM. */
static int version_from_tree(const struct json_val *t, struct arena *a, struct sver *v)
{
    const struct json_val *cols = json_tree_get(t, "columns"),
                          *pk = json_tree_get(t, "primary_key");

    memset(v, 0, sizeof *v);
    v->version = json_tree_str(t, "schema_version");
    v->first_seen_at = json_tree_str(t, "first_seen_at");
    if (!v->version || !v->first_seen_at || !cols || cols->kind != JV_ARR || !pk ||
        pk->kind != JV_ARR)
        return SL_ECORRUPT;
    v->cols = arena_alloc(a, (cols->n ? cols->n : 1) * sizeof *v->cols);
    v->pk = arena_alloc(a, (pk->n ? pk->n : 1) * sizeof *v->pk);
    if (!v->cols || !v->pk)
        return SL_ENOMEM;
    for (size_t i = 0; i < cols->n; i++) {
        const struct json_val *c = &cols->items[i], *nl = json_tree_get(c, "nullable");
        int64_t ord;
        v->cols[i].name = json_tree_str(c, "name");
        v->cols[i].sql_type = json_tree_str(c, "sql_type");
        if (!v->cols[i].name || !v->cols[i].sql_type || !nl || nl->kind != JV_BOOL ||
            !json_tree_int(c, "ordinal", &ord) || ord < 0 || ord > INT32_MAX)
            return SL_ECORRUPT;
        v->cols[i].nullable = nl->b;
        v->cols[i].ordinal = (int)ord;
    }
    v->ncols = cols->n;
    for (size_t i = 0; i < pk->n; i++) {
        if (pk->items[i].kind != JV_STR)
            return SL_ECORRUPT;
        v->pk[i] = pk->items[i].s;
    }
    v->npk = pk->n;
    return 0;
}

/* Read path into *vers / *nv (a missing file is no versions). */
static int load_versions(const char *path, struct arena *a, struct sver **vers, size_t *nv,
                         struct sl_err *err)
{
    struct buf text;
    struct json_val *t = NULL;
    const struct json_val *list;
    int64_t fv;
    int rc;

    *vers = NULL;
    *nv = 0;
    buf_init(&text, SCHEMA_FILE_LIMIT);
    rc = fsio_read_file(path, &text, err);
    if (rc == SL_ENOTFOUND) {
        rc = 0;
        goto out;
    }
    if (rc == 0)
        rc = json_tree_parse((const char *)text.data, text.len, path, a, &t, err);
    if (rc != 0)
        goto out;
    list = json_tree_get(t, "versions");
    if (!json_tree_int(t, "format_version", &fv) || fv != SCHEMA_FORMAT_VERSION || !list ||
        list->kind != JV_ARR) {
        rc = sl_err_set(err, SL_ECORRUPT,
                        "schema file \"%s\" is corrupt: no format_version 1 "
                        "or no versions list",
                        path);
        goto out;
    }
    *vers = arena_alloc(a, (list->n ? list->n : 1) * sizeof **vers);
    if (!*vers) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory reading \"%s\"", path);
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < list->n; i++) {
        rc = version_from_tree(&list->items[i], a, &(*vers)[i]);
        if (rc == SL_ENOMEM)
            sl_err_set(err, rc, "out of memory reading \"%s\"", path);
        else if (rc != 0)
            sl_err_set(err, rc, "schema file \"%s\" is corrupt: version %zu is malformed", path,
                       i + 1);
    }
    if (rc == 0)
        *nv = list->n;
out:
    if (rc == SL_ECORRUPT)
        sl_err_hint(err, "move the file away; the next run records the current columns as the "
                         "first version");
    buf_free(&text);
    return rc;
}

static int push(struct arena *a, const char ***list, size_t *n, size_t cap, const char *name)
{
    if (!*list && !(*list = arena_alloc(a, (cap ? cap : 1) * sizeof **list)))
        return SL_ENOMEM;
    (*list)[(*n)++] = name;
    return 0;
}

/* What changed from last to cur. */
static int diff(const struct sver *last, const struct sver *cur, struct arena *a,
                struct schema_change *ch)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < cur->ncols; i++) {
        const struct schema_column *c = &cur->cols[i], *o = find_col(last, c->name);
        if (!o)
            rc = push(a, &ch->added, &ch->nadded, cur->ncols, c->name);
        else if (strcmp(o->sql_type, c->sql_type) != 0 || o->nullable != c->nullable)
            rc = push(a, &ch->retyped, &ch->nretyped, cur->ncols, c->name);
    }
    for (size_t i = 0; rc == 0 && i < last->ncols; i++) {
        if (!find_col(cur, last->cols[i].name))
            rc = push(a, &ch->dropped, &ch->ndropped, last->ncols, last->cols[i].name);
    }
    ch->pk_changed = last->npk != cur->npk;
    for (size_t i = 0; !ch->pk_changed && i < cur->npk; i++)
        ch->pk_changed = strcmp(last->pk[i], cur->pk[i]) != 0;
    return rc;
}

static void emit_version(struct json_out *o, const struct sver *v)
{
    json_out_object_begin(o, NULL);
    json_out_string(o, "schema_version", v->version);
    json_out_string(o, "first_seen_at", v->first_seen_at);
    json_out_array_begin(o, "columns");
    for (size_t i = 0; i < v->ncols; i++) {
        json_out_object_begin(o, NULL);
        json_out_string(o, "name", v->cols[i].name);
        json_out_string(o, "sql_type", v->cols[i].sql_type);
        json_out_bool(o, "nullable", v->cols[i].nullable);
        json_out_int(o, "ordinal", v->cols[i].ordinal);
        json_out_object_end(o);
    }
    json_out_array_end(o);
    json_out_array_begin(o, "primary_key");
    for (size_t i = 0; i < v->npk; i++)
        json_out_string(o, NULL, v->pk[i]);
    json_out_array_end(o);
    json_out_object_end(o);
}

static int render(const struct sver *vers, size_t nv, const struct sver *cur, struct buf *out)
{
    struct json_out o;

    json_out_init(&o, out, true);
    json_out_object_begin(&o, NULL);
    json_out_int(&o, "format_version", SCHEMA_FORMAT_VERSION);
    json_out_array_begin(&o, "versions");
    for (size_t i = 0; i < nv; i++)
        emit_version(&o, &vers[i]);
    emit_version(&o, cur);
    json_out_array_end(&o);
    json_out_object_end(&o);
    return json_out_finish(&o);
}

int schema_track(const struct fsio_ops *io, const char *dir, const struct schema_column *cols,
                 size_t n, const char *const *pk, size_t npk, const char *now, struct arena *a,
                 char *version, struct schema_change *change, struct sl_err *err)
{
    struct buf path, text;
    struct sver cur, *vers = NULL;
    size_t nv = 0;
    int rc;

    memset(change, 0, sizeof *change);
    version[0] = '\0';
    buf_init(&path, 0);
    buf_init(&text, SCHEMA_FILE_LIMIT);
    rc = normalise(cols, n, pk, npk, a, &cur, err);
    if (rc == 0 && (rc = canon_hash(&cur, version)) != 0)
        sl_err_set(err, rc, "out of memory hashing a schema");
    if (rc == 0 && (rc = buf_appendf(&path, "%s/" SCHEMA_FILE, dir)) != 0)
        sl_err_set(err, rc, "out of memory naming \"%s/" SCHEMA_FILE "\"", dir);
    if (rc == 0)
        rc = load_versions((const char *)path.data, a, &vers, &nv, err);
    if (rc != 0 || (nv > 0 && strcmp(vers[nv - 1].version, version) == 0))
        goto out;
    cur.version = version;
    cur.first_seen_at = now;
    change->changed = true;
    change->first = nv == 0;
    if (nv > 0 && (rc = diff(&vers[nv - 1], &cur, a, change)) != 0) {
        sl_err_set(err, rc, "out of memory comparing schemas");
        goto out;
    }
    rc = render(vers, nv, &cur, &text);
    if (rc != 0) {
        sl_err_set(err, rc, "cannot render \"%s\": %s", (char *)path.data, sl_strerror(rc));
        goto out;
    }
    rc = fsio_write_atomic(io, (const char *)path.data, text.data, text.len, err);
out:
    if (rc != 0)
        memset(change, 0, sizeof *change);
    buf_free(&path);
    buf_free(&text);
    return rc;
}

int schema_primary_key(const char *dir, const char *version, struct arena *a, const char ***pk,
                       size_t *npk, bool *found, struct sl_err *err)
{
    struct buf path;
    struct sver *vers = NULL;
    size_t nv = 0;
    int rc;

    *pk = NULL;
    *npk = 0;
    *found = false;
    buf_init(&path, 0);
    rc = buf_appendf(&path, "%s/" SCHEMA_FILE, dir);
    if (rc != 0)
        sl_err_set(err, rc, "out of memory naming \"%s/" SCHEMA_FILE "\"", dir);
    if (rc == 0)
        rc = load_versions((const char *)path.data, a, &vers, &nv, err);
    /* Newest first: a layout may recur, and its latest entry is the one meant. */
    for (size_t i = nv; rc == 0 && i-- > 0;) {
        if (version && strcmp(vers[i].version, version) != 0)
            continue;
        *pk = vers[i].pk;
        *npk = vers[i].npk;
        *found = true;
        break;
    }
    buf_free(&path);
    return rc;
}
