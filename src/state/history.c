/*
 * history: sync_history.jsonl. See history.h.
 */
#include "state/history.h"

#include "state/fsio.h"
#include "state/json.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

#define HISTORY_FILE "sync_history.jsonl"
#define HISTORY_READ_LIMIT (256u << 20)

static const char *const status_names[] = {"ok", "failed", "skipped"};

const char *history_status_name(enum history_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "failed";
}

int history_render(const struct history_entry *e, struct buf *out, struct sl_err *err)
{
    struct json_out o;
    int rc;

    json_out_init(&o, out, false);
    json_out_object_begin(&o, NULL);
    json_out_int(&o, "format_version", HISTORY_FORMAT_VERSION);
    json_out_string(&o, "run_id", e->run_id ? e->run_id : "");
    json_out_string(&o, "started_at", e->started_at ? e->started_at : "");
    json_out_string(&o, "finished_at", e->finished_at ? e->finished_at : "");
    json_out_string(&o, "status", history_status_name(e->status));
    json_out_string(&o, "mode", e->mode == WM_MODE_FULL ? "full" : "incremental");
    watermark_pos_emit(&o, "from", &e->from);
    watermark_pos_emit(&o, "to", &e->to);
    json_out_object_begin(&o, "rows");
    json_out_int(&o, "inserts", e->inserts);
    json_out_int(&o, "updates", e->updates);
    json_out_int(&o, "deletes", e->deletes);
    json_out_object_end(&o);
    json_out_array_begin(&o, "files");
    for (size_t i = 0; i < e->nfiles; i++)
        json_out_string(&o, NULL, e->files[i]);
    json_out_array_end(&o);
    json_out_int(&o, "bytes", e->bytes);
    if (e->error)
        json_out_string(&o, "error", e->error);
    else
        json_out_null(&o, "error");
    json_out_object_end(&o);
    rc = json_out_finish(&o);
    if (rc != 0)
        rc = sl_err_set(err, rc, "cannot render the history line of run \"%s\": %s",
                        e->run_id ? e->run_id : "", sl_strerror(rc));
    return rc;
}

/* `{table dir}/sync_history.jsonl` into path. */
static int history_path(const char *root, const char *db, const char *schema, const char *table,
                        struct buf *path, struct sl_err *err)
{
    int rc = watermark_dir(root, db, schema, table, path, err);
    if (rc == 0 && (rc = buf_append_str(path, "/" HISTORY_FILE)) != 0)
        sl_err_set(err, rc, "out of memory naming the history of %s.%s.%s", db, schema, table);
    return rc;
}

int history_append(const struct fsio_ops *io, const char *root, const char *db, const char *schema,
                   const char *table, const struct history_entry *e, struct sl_err *err)
{
    struct buf path, line;
    int rc;

    buf_init(&path, 0);
    buf_init(&line, 0);
    rc = watermark_dir(root, db, schema, table, &path, err);
    if (rc == 0)
        rc = fsio_mkdirs(io, (const char *)path.data, 0755, err);
    buf_reset(&path);
    if (rc == 0)
        rc = history_path(root, db, schema, table, &path, err);
    if (rc == 0)
        rc = history_render(e, &line, err);
    if (rc == 0)
        rc = fsio_append_line(io, (const char *)path.data, (const char *)line.data, err);
    buf_free(&path);
    buf_free(&line);
    return rc;
}

static int parse_status(const char *s, enum history_status *st)
{
    for (int i = 0; s && i < 3; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *st = (enum history_status)i;
            return 0;
        }
    }
    return SL_ECORRUPT;
}

/* One parsed line into e; 0, SL_ECORRUPT (no message) or SL_ENOMEM. */
static int from_tree(const struct json_val *t, struct arena *a, struct history_entry *e)
{
    const struct json_val *rows = json_tree_get(t, "rows"), *files = json_tree_get(t, "files");
    const struct json_val *error = json_tree_get(t, "error");
    const char *mode = json_tree_str(t, "mode");
    int64_t fv;

    memset(e, 0, sizeof *e);
    if (!json_tree_int(t, "format_version", &fv) || fv != HISTORY_FORMAT_VERSION)
        return SL_ECORRUPT;
    e->run_id = json_tree_str(t, "run_id");
    e->started_at = json_tree_str(t, "started_at");
    e->finished_at = json_tree_str(t, "finished_at");
    if (!e->run_id || !e->started_at || !e->finished_at || !mode ||
        parse_status(json_tree_str(t, "status"), &e->status) != 0)
        return SL_ECORRUPT;
    e->mode = strcmp(mode, "full") == 0 ? WM_MODE_FULL : WM_MODE_INCREMENTAL;
    if (watermark_pos_parse(json_tree_get(t, "from"), &e->from) != 0 ||
        watermark_pos_parse(json_tree_get(t, "to"), &e->to) != 0)
        return SL_ECORRUPT;
    if (!json_tree_int(rows, "inserts", &e->inserts) ||
        !json_tree_int(rows, "updates", &e->updates) ||
        !json_tree_int(rows, "deletes", &e->deletes) || !json_tree_int(t, "bytes", &e->bytes))
        return SL_ECORRUPT;
    if (!files || files->kind != JV_ARR)
        return SL_ECORRUPT;
    e->nfiles = files->n;
    e->files = files->n ? arena_alloc(a, files->n * sizeof *e->files) : NULL;
    if (files->n && !e->files)
        return SL_ENOMEM;
    for (size_t i = 0; i < files->n; i++) {
        if (files->items[i].kind != JV_STR)
            return SL_ECORRUPT;
        e->files[i] = files->items[i].s;
    }
    if (error && error->kind == JV_STR)
        e->error = error->s;
    else if (error && error->kind != JV_NULL)
        return SL_ECORRUPT;
    return 0;
}

int history_read(const char *root, const char *db, const char *schema, const char *table,
                 struct arena *a, struct history_entry **entries, size_t *n, struct sl_err *err)
{
    struct buf path, text;
    struct history_entry *out = NULL;
    size_t nlines = 0, k = 0, lineno = 0;
    const char *p, *end;
    int rc;

    *entries = NULL;
    *n = 0;
    buf_init(&path, 0);
    buf_init(&text, HISTORY_READ_LIMIT);
    rc = history_path(root, db, schema, table, &path, err);
    if (rc == 0)
        rc = fsio_read_file((const char *)path.data, &text, err);
    if (rc == SL_ENOTFOUND)
        rc = 0;
    if (rc != 0 || text.len == 0)
        goto out;
    for (size_t i = 0; i < text.len; i++)
        nlines += text.data[i] == '\n';
    out = nlines ? arena_alloc(a, nlines * sizeof *out) : NULL;
    if (nlines && !out) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory reading \"%s\"", (char *)path.data);
        goto out;
    }
    p = (const char *)text.data;
    end = p + text.len;
    /* Only lines ending in '\n' count; a torn tail is skipped by construction. */
    for (const char *nl; rc == 0 && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
        struct json_val *t = NULL;
        struct sl_err perr;
        lineno++;
        sl_err_clear(&perr);
        rc = json_tree_parse(p, (size_t)(nl - p), (const char *)path.data, a, &t, &perr);
        if (rc == 0)
            rc = from_tree(t, a, &out[k]);
        if (rc == SL_ENOMEM) {
            sl_err_set(err, rc, "out of memory reading \"%s\"", (char *)path.data);
        } else if (rc != 0) {
            sl_err_set(err, SL_ECORRUPT, "history file \"%s\" is corrupt at line %zu",
                       (char *)path.data, lineno);
            if (perr.msg[0])
                sl_err_detail(err, "%s", perr.msg);
            sl_err_hint(err, "move the file away to start a new history; sluice then keeps data "
                             "files it cannot attribute instead of removing them");
        } else {
            k++;
        }
    }
    if (rc == 0) {
        *entries = out;
        *n = k;
    }
out:
    buf_free(&path);
    buf_free(&text);
    return rc;
}
