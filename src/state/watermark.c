/*
 * watermark: watermarks.json and positions. See watermark.h.
 */
#include "state/watermark.h"

#include "state/fsio.h"
#include "state/json.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WATERMARK_FILE "watermarks.json"
#define STATE_FILE_LIMIT (16u << 20) /* 16 MiB: a file list of ~100k names */

void watermark_pos_ct(struct watermark_pos *p, int64_t version)
{
    memset(p, 0, sizeof *p);
    p->kind = WM_POS_CT;
    p->version = version;
}

/* Copy 20 hex digits (an optional 0x dropped) into out; false when malformed. */
static bool lsn_copy(char *out, const char *s)
{
    if (!s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (strlen(s) != WATERMARK_LSN_LEN)
        return false;
    for (size_t i = 0; i < WATERMARK_LSN_LEN; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
    }
    memcpy(out, s, WATERMARK_LSN_LEN + 1);
    return true;
}

int watermark_pos_cdc(struct watermark_pos *p, const char *start_lsn, const char *seqval,
                      struct sl_err *err)
{
    int rc = 0;

    memset(p, 0, sizeof *p);
    p->kind = WM_POS_CDC;
    if (!lsn_copy(p->start_lsn, start_lsn) || !lsn_copy(p->seqval, seqval)) {
        rc = sl_err_set(err, SL_EINVAL, "invalid CDC position \"%s\"/\"%s\"",
                        start_lsn ? start_lsn : "(null)", seqval ? seqval : "(null)");
        sl_err_hint(err, "an LSN is 20 hex digits, as in 0x0000002A000001B80003");
        memset(p, 0, sizeof *p);
    }
    return rc;
}

bool watermark_pos_comparable(const struct watermark_pos *a, const struct watermark_pos *b)
{
    return a->kind == b->kind || a->kind == WM_POS_NONE || b->kind == WM_POS_NONE;
}

int watermark_pos_cmp(const struct watermark_pos *a, const struct watermark_pos *b)
{
    int c;

    if (a->kind == WM_POS_NONE || b->kind == WM_POS_NONE)
        return (a->kind != WM_POS_NONE) - (b->kind != WM_POS_NONE);
    if (a->kind == WM_POS_CT)
        return (a->version > b->version) - (a->version < b->version);
    c = strcasecmp(a->start_lsn, b->start_lsn);
    if (c == 0)
        c = strcasecmp(a->seqval, b->seqval);
    return (c > 0) - (c < 0);
}

void watermark_pos_emit(struct json_out *o, const char *key, const struct watermark_pos *p)
{
    if (p->kind == WM_POS_NONE) {
        json_out_null(o, key);
        return;
    }
    json_out_object_begin(o, key);
    if (p->kind == WM_POS_CT) {
        json_out_int(o, "version", p->version);
    } else {
        json_out_string(o, "start_lsn", p->start_lsn);
        json_out_string(o, "seqval", p->seqval);
    }
    json_out_object_end(o);
}

int watermark_pos_parse(const struct json_val *v, struct watermark_pos *p)
{
    int64_t version;

    memset(p, 0, sizeof *p);
    if (!v || v->kind == JV_NULL)
        return 0;
    if (v->kind != JV_OBJ)
        return SL_ECORRUPT;
    if (json_tree_int(v, "version", &version) && v->n == 1) {
        watermark_pos_ct(p, version);
        return 0;
    }
    if (v->n == 2 &&
        watermark_pos_cdc(p, json_tree_str(v, "start_lsn"), json_tree_str(v, "seqval"), NULL) == 0)
        return 0;
    return SL_ECORRUPT;
}

void watermark_pos_format(const struct watermark_pos *p, char *out, size_t cap)
{
    if (p->kind == WM_POS_CT)
        snprintf(out, cap, "version %lld", (long long)p->version);
    else if (p->kind == WM_POS_CDC)
        snprintf(out, cap, "lsn %s seqval %s", p->start_lsn, p->seqval);
    else
        snprintf(out, cap, "none");
}

/* A name usable as one path component. */
static bool component_ok(const char *s)
{
    if (!s || !s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++) {
        if (*s == '/' || (unsigned char)*s < 0x20)
            return false;
    }
    return true;
}

int watermark_dir(const char *root, const char *db, const char *schema, const char *table,
                  struct buf *out, struct sl_err *err)
{
    int rc = 0;

    if (!component_ok(db) || !component_ok(schema) || !component_ok(table)) {
        rc = sl_err_set(err, SL_EINVAL, "table \"%s.%s.%s\" cannot name a state directory",
                        db ? db : "", schema ? schema : "", table ? table : "");
        sl_err_hint(err, "database, schema and table names must not be empty, \".\" or \"..\", "
                         "nor hold '/' or control characters");
        goto out;
    }
    rc = buf_appendf(out, "%s/watermarks/%s/%s/%s", root, db, schema, table);
    if (rc != 0)
        rc = sl_err_set(err, rc, "out of memory naming the state of %s.%s.%s", db, schema, table);
out:
    return rc;
}

int watermark_render(const struct watermark *wm, struct buf *out, struct sl_err *err)
{
    struct json_out o;
    int rc;

    json_out_init(&o, out, true);
    json_out_object_begin(&o, NULL);
    json_out_int(&o, "format_version", WATERMARK_FORMAT_VERSION);
    json_out_string(&o, "db", wm->db);
    json_out_string(&o, "schema", wm->schema);
    json_out_string(&o, "table", wm->table);
    json_out_string(&o, "capture", wm->pos.kind == WM_POS_CDC ? "cdc" : "ct");
    watermark_pos_emit(&o, "position", &wm->pos);
    json_out_string(&o, "mode", wm->mode == WM_MODE_FULL ? "full" : "incremental");
    json_out_string(&o, "run_id", wm->run_id ? wm->run_id : "");
    json_out_int(&o, "rows", wm->rows);
    json_out_int(&o, "duration_ms", wm->duration_ms);
    json_out_array_begin(&o, "files");
    for (size_t i = 0; i < wm->nfiles; i++)
        json_out_string(&o, NULL, wm->files[i]);
    json_out_array_end(&o);
    if (wm->schema_version)
        json_out_string(&o, "schema_version", wm->schema_version);
    else
        json_out_null(&o, "schema_version");
    json_out_string(&o, "updated_at", wm->updated_at ? wm->updated_at : "");
    if (wm->has_ct_begin)
        json_out_int(&o, "ct_begin_version", wm->ct_begin_version);
    json_out_object_end(&o);
    rc = json_out_finish(&o);
    if (rc != 0)
        rc = sl_err_set(err, rc, "cannot render the watermark of %s.%s.%s: %s", wm->db, wm->schema,
                        wm->table, sl_strerror(rc));
    return rc;
}

int watermark_store(const struct fsio_ops *io, const char *root, const struct watermark *wm,
                    struct sl_err *err)
{
    struct buf path, text;
    int rc;

    buf_init(&path, 0);
    buf_init(&text, STATE_FILE_LIMIT);
    if (wm->pos.kind == WM_POS_NONE) {
        rc = sl_err_set(err, SL_EINVAL, "refusing to store an empty watermark for %s.%s.%s", wm->db,
                        wm->schema, wm->table);
        goto out;
    }
    rc = watermark_dir(root, wm->db, wm->schema, wm->table, &path, err);
    if (rc == 0)
        rc = fsio_mkdirs(io, (const char *)path.data, 0755, err);
    if (rc == 0)
        rc = watermark_render(wm, &text, err);
    if (rc == 0 && (rc = buf_append_str(&path, "/" WATERMARK_FILE)) != 0)
        sl_err_set(err, rc, "out of memory storing the watermark of %s.%s.%s", wm->db, wm->schema,
                   wm->table);
    if (rc == 0)
        rc = fsio_write_atomic(io, (const char *)path.data, text.data, text.len, err);
out:
    buf_free(&path);
    buf_free(&text);
    return rc;
}

/* Parse the tree of a watermark file; returns a reason for SL_ECORRUPT or NULL. */
static const char *from_tree(const struct json_val *t, struct arena *a, struct watermark *wm,
                             int *rc)
{
    const struct json_val *files = json_tree_get(t, "files");
    const struct json_val *sv = json_tree_get(t, "schema_version");
    const char *capture = json_tree_str(t, "capture"), *mode = json_tree_str(t, "mode");
    int64_t fv;

    *rc = SL_ECORRUPT;
    if (!t || t->kind != JV_OBJ || !json_tree_int(t, "format_version", &fv))
        return "no format_version";
    if (fv != WATERMARK_FORMAT_VERSION) {
        *rc = SL_EUNSUPPORTED;
        return "format_version is not 1; written by a newer sluice";
    }
    wm->db = json_tree_str(t, "db");
    wm->schema = json_tree_str(t, "schema");
    wm->table = json_tree_str(t, "table");
    wm->run_id = json_tree_str(t, "run_id");
    wm->updated_at = json_tree_str(t, "updated_at");
    if (!wm->db || !wm->schema || !wm->table || !wm->run_id || !wm->updated_at)
        return "db, schema, table, run_id or updated_at missing";
    if (watermark_pos_parse(json_tree_get(t, "position"), &wm->pos) != 0 ||
        wm->pos.kind == WM_POS_NONE || !capture ||
        strcmp(capture, wm->pos.kind == WM_POS_CT ? "ct" : "cdc") != 0)
        return "capture or position missing or malformed";
    if (!mode || (strcmp(mode, "full") != 0 && strcmp(mode, "incremental") != 0))
        return "mode is neither full nor incremental";
    wm->mode = mode[0] == 'f' ? WM_MODE_FULL : WM_MODE_INCREMENTAL;
    if (!json_tree_int(t, "rows", &wm->rows) || !json_tree_int(t, "duration_ms", &wm->duration_ms))
        return "rows or duration_ms missing";
    if (sv && sv->kind != JV_NULL && sv->kind != JV_STR)
        return "schema_version is not a string";
    wm->schema_version = sv && sv->kind == JV_STR ? sv->s : NULL;
    if (json_tree_get(t, "ct_begin_version")) {
        if (!json_tree_int(t, "ct_begin_version", &wm->ct_begin_version))
            return "ct_begin_version is not an integer";
        wm->has_ct_begin = true;
    }
    if (!files || files->kind != JV_ARR)
        return "files is not a list";
    wm->nfiles = files->n;
    wm->files = files->n ? arena_alloc(a, files->n * sizeof *wm->files) : NULL;
    if (files->n && !wm->files) {
        *rc = SL_ENOMEM;
        return "out of memory";
    }
    for (size_t i = 0; i < files->n; i++) {
        if (files->items[i].kind != JV_STR)
            return "files holds a non-string";
        wm->files[i] = files->items[i].s;
    }
    *rc = 0;
    return NULL;
}

int watermark_load(const char *root, const char *db, const char *schema, const char *table,
                   struct arena *a, struct watermark *wm, bool *found, struct sl_err *err)
{
    struct buf path, text;
    struct json_val *tree = NULL;
    const char *why;
    int rc;

    buf_init(&path, 0);
    buf_init(&text, STATE_FILE_LIMIT);
    memset(wm, 0, sizeof *wm);
    *found = false;
    rc = watermark_dir(root, db, schema, table, &path, err);
    if (rc == 0 && (rc = buf_append_str(&path, "/" WATERMARK_FILE)) != 0)
        sl_err_set(err, rc, "out of memory loading the watermark of %s.%s.%s", db, schema, table);
    if (rc == 0)
        rc = fsio_read_file((const char *)path.data, &text, err);
    if (rc == SL_ENOTFOUND) {
        rc = 0; /* no watermark: a full load is due */
        goto out;
    }
    if (rc == 0)
        rc = json_tree_parse((const char *)text.data, text.len, (const char *)path.data, a, &tree,
                             err);
    if (rc == SL_ECORRUPT)
        sl_err_hint(err, "delete \"%s\" to force a full resync of %s.%s.%s", (char *)path.data, db,
                    schema, table);
    if (rc != 0)
        goto out;
    why = from_tree(tree, a, wm, &rc);
    if (rc == 0 && (strcmp(wm->db, db) != 0 || strcmp(wm->schema, schema) != 0 ||
                    strcmp(wm->table, table) != 0)) {
        rc = SL_ECORRUPT;
        why = "it names another table";
    }
    if (rc == SL_ENOMEM) {
        sl_err_set(err, rc, "out of memory loading \"%s\"", (char *)path.data);
        memset(wm, 0, sizeof *wm);
        goto out;
    }
    if (rc != 0) {
        sl_err_set(err, rc, "watermark file \"%s\" is %s: %s", (char *)path.data,
                   rc == SL_EUNSUPPORTED ? "not readable by this version" : "corrupt", why);
        if (rc == SL_ECORRUPT)
            sl_err_hint(err, "delete it to force a full resync of %s.%s.%s", db, schema, table);
        else if (rc == SL_EUNSUPPORTED)
            sl_err_hint(err, "run the sluice version that wrote it, or delete it to force a "
                             "full resync");
        memset(wm, 0, sizeof *wm);
        goto out;
    }
    *found = true;
out:
    buf_free(&path);
    buf_free(&text);
    return rc;
}
