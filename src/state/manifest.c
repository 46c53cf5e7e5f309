/*
 * manifest: output.yaml. See manifest.h.
 *
 * The YAML is block style with two-space indentation. Strings are YAML
 * double-quoted scalars (YAML 1.2 §7.3.1): '"' and '\' are escaped, as are
 * control characters and the Unicode line breaks NEL, LS, PS, which a YAML
 * parser would otherwise fold; invalid UTF-8 becomes U+FFFD.
 */
#include "state/manifest.h"

#include "state/fsio.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_FILE "output.yaml"

/* Append s as a YAML double-quoted scalar; NULL becomes null. */
static int yq(struct buf *b, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n, i = 0;
    int rc;

    if (!s)
        return buf_append_str(b, "null");
    n = strlen(s);
    rc = buf_append_byte(b, '"');
    while (rc == 0 && i < n) {
        size_t start = i;
        int32_t cp = utf8_decode(p, n, &i);
        if (cp < 0)
            rc = buf_append_str(b, "\xEF\xBF\xBD");
        else if (cp == '"' || cp == '\\')
            rc = buf_appendf(b, "\\%c", (char)cp);
        else if (cp == '\n')
            rc = buf_append_str(b, "\\n");
        else if (cp == '\t')
            rc = buf_append_str(b, "\\t");
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            rc = buf_appendf(b, "\\x%02x", (unsigned)cp);
        else if (cp == 0x2028 || cp == 0x2029)
            rc = buf_append_str(b, cp == 0x2028 ? "\\L" : "\\P");
        else
            rc = buf_append(b, p + start, i - start);
    }
    if (rc == 0)
        rc = buf_append_byte(b, '"');
    return rc;
}

/* `{indent}key: "value"\n` */
static int kv(struct buf *b, const char *indent, const char *key, const char *value)
{
    int rc = buf_appendf(b, "%s%s: ", indent, key);
    if (rc == 0)
        rc = yq(b, value);
    if (rc == 0)
        rc = buf_append_byte(b, '\n');
    return rc;
}

/* A block list of quoted strings, or `[]` when empty. */
static int list(struct buf *b, const char *indent, const char *key, const char *const *v, size_t n)
{
    int rc = buf_appendf(b, "%s%s:%s\n", indent, key, n ? "" : " []");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = buf_appendf(b, "%s  - ", indent);
        if (rc == 0)
            rc = yq(b, v[i]);
        if (rc == 0)
            rc = buf_append_byte(b, '\n');
    }
    return rc;
}

static int watermark_yaml(struct buf *b, const struct watermark_pos *p)
{
    const char *in = "      ";
    int rc;

    if (p->kind == WM_POS_NONE)
        return buf_append_str(b, "    watermark: null\n");
    rc = buf_append_str(b, "    watermark:\n");
    if (rc == 0)
        rc = kv(b, in, "capture", p->kind == WM_POS_CT ? "ct" : "cdc");
    if (rc == 0 && p->kind == WM_POS_CT)
        rc = buf_appendf(b, "%sversion: %" PRId64 "\n", in, p->version);
    if (rc == 0 && p->kind == WM_POS_CDC)
        rc = kv(b, in, "start_lsn", p->start_lsn);
    if (rc == 0 && p->kind == WM_POS_CDC)
        rc = kv(b, in, "seqval", p->seqval);
    return rc;
}

static int entry_yaml(struct buf *b, const struct manifest_entry *e)
{
    const char *in = "    ";
    int rc = buf_append_str(b, "  - db: ");

    if (rc == 0)
        rc = yq(b, e->db);
    if (rc == 0)
        rc = buf_append_byte(b, '\n');
    if (rc == 0)
        rc = kv(b, in, "schema", e->schema);
    if (rc == 0)
        rc = kv(b, in, "table", e->table);
    if (rc == 0)
        rc = kv(b, in, "uc_catalog", e->uc_catalog);
    if (rc == 0)
        rc = kv(b, in, "uc_schema", e->uc_schema);
    if (rc == 0)
        rc = kv(b, in, "output_format", e->output_format);
    if (rc == 0)
        rc = buf_appendf(b, "%sscd_type: %d\n%ssoft_delete: %s\n", in, e->scd_type, in,
                         e->soft_delete ? "true" : "false");
    if (rc == 0)
        rc = list(b, in, "primary_keys", e->primary_keys, e->nprimary_keys);
    if (rc == 0)
        rc = kv(b, in, "schema_version", e->schema_version);
    if (rc == 0)
        rc = watermark_yaml(b, &e->watermark);
    if (rc == 0)
        rc = list(b, in, "files", e->files, e->nfiles);
    if (rc == 0)
        rc = kv(b, in, "updated_at", e->updated_at);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    const struct manifest_entry *x = *(const struct manifest_entry *const *)a;
    const struct manifest_entry *y = *(const struct manifest_entry *const *)b;
    int c = strcmp(x->db, y->db);
    if (c == 0)
        c = strcmp(x->schema, y->schema);
    if (c == 0)
        c = strcmp(x->table, y->table);
    return c;
}

int manifest_render(const struct manifest_entry *entries, size_t n, const char *updated_at,
                    struct buf *out, struct sl_err *err)
{
    const struct manifest_entry **order = sl_malloc((n ? n : 1) * sizeof *order);
    int rc = 0;

    if (!order) {
        rc = SL_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &entries[i];
    qsort(order, n, sizeof *order, by_name);
    rc = buf_appendf(out,
                     "# sluice output manifest: every table sluice lands, rewritten after "
                     "each run.\n# Generated; edits are overwritten.\nformat_version: %d\n",
                     MANIFEST_FORMAT_VERSION);
    if (rc == 0)
        rc = kv(out, "", "updated_at", updated_at);
    if (rc == 0)
        rc = buf_appendf(out, "tables:%s\n", n ? "" : " []");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = entry_yaml(out, order[i]);
out:
    if (rc != 0)
        sl_err_set(err, rc, "cannot render the output manifest: %s", sl_strerror(rc));
    sl_free(order);
    return rc;
}

int manifest_write(const struct fsio_ops *io, const char *root,
                   const struct manifest_entry *entries, size_t n, const char *updated_at,
                   struct sl_err *err)
{
    struct buf path, text;
    int rc;

    buf_init(&path, 0);
    buf_init(&text, 0);
    rc = manifest_render(entries, n, updated_at, &text, err);
    if (rc == 0 && (rc = buf_appendf(&path, "%s/" MANIFEST_FILE, root)) != 0)
        sl_err_set(err, rc, "out of memory naming the output manifest");
    if (rc == 0)
        rc = fsio_write_atomic(io, (const char *)path.data, text.data, text.len, err);
    buf_free(&path);
    buf_free(&text);
    return rc;
}
