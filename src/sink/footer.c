/*
 * footer: reading a data file's sluice metadata back for orphan recovery
 * (state/orphan.h). Only the Parquet footer's key/value list is parsed
 * (parquet_reader_open_kv), so a file of any schema opens, and a damaged
 * data area does not hide the metadata.
 */
#include "sink/sink.h"

#include "core/arena.h"
#include "core/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Exactly 20 hex digits. */
static bool lsn_text(const char *s, size_t n)
{
    if (n != WATERMARK_LSN_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int sink_pos_parse(const char *text, struct watermark_pos *p)
{
    memset(p, 0, sizeof *p);
    if (!text)
        return SL_ECORRUPT;
    if (strcmp(text, "none") == 0) {
        p->kind = WM_POS_NONE;
        return 0;
    }
    if (strncmp(text, "version ", 8) == 0) {
        const char *d = text + 8;
        char *end;
        long long v;
        if (!((*d >= '0' && *d <= '9') || (*d == '-' && d[1] >= '0' && d[1] <= '9')))
            return SL_ECORRUPT;
        errno = 0;
        v = strtoll(d, &end, 10);
        if (errno || *end)
            return SL_ECORRUPT;
        watermark_pos_ct(p, (int64_t)v);
        return 0;
    }
    if (strncmp(text, "lsn ", 4) == 0) {
        const char *lsn = text + 4, *sp = strchr(lsn, ' ');
        if (!sp || !lsn_text(lsn, (size_t)(sp - lsn)) || strncmp(sp, " seqval ", 8) != 0 ||
            !lsn_text(sp + 8, strlen(sp + 8)))
            return SL_ECORRUPT;
        p->kind = WM_POS_CDC;
        memcpy(p->start_lsn, lsn, WATERMARK_LSN_LEN);
        memcpy(p->seqval, sp + 8, WATERMARK_LSN_LEN);
        return 0;
    }
    return SL_ECORRUPT;
}

/* Copy kv key (or NULL when absent) into the arena; false on ENOMEM. */
static bool dup_kv(const struct parquet_reader *r, const char *key, struct arena *a,
                   const char **out)
{
    const char *v = parquet_reader_kv(r, key);
    *out = v ? arena_strdup(a, v) : NULL;
    return !v || *out;
}

static int bad_key(struct sl_err *err, const char *path, const char *key, const char *v)
{
    sl_err_set(err, SL_ECORRUPT, "\"%s\" has a malformed footer key %s = \"%s\"", path, key,
               v ? v : "");
    sl_err_hint(err, "the file was not written by this version of sluice or was edited; move it "
                     "out of the data directory if it is not part of the table");
    return SL_ECORRUPT;
}

static int small_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    long x;
    if (!v || !(*v >= '0' && *v <= '9'))
        return -1;
    errno = 0;
    x = strtol(v, &end, 10);
    if (errno || *end || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

static int parse_keys(const struct parquet_reader *r, const char *path, struct sink_footer *out,
                      struct sl_err *err)
{
    const char *v;

    v = parquet_reader_kv(r, SINK_KV_FROM);
    if (sink_pos_parse(v, &out->from) != 0)
        return bad_key(err, path, SINK_KV_FROM, v);
    v = parquet_reader_kv(r, SINK_KV_TO);
    if (sink_pos_parse(v, &out->to) != 0)
        return bad_key(err, path, SINK_KV_TO, v);
    v = parquet_reader_kv(r, SINK_KV_PART);
    if (small_int(v, 1, 1000000000, &out->part) != 0)
        return bad_key(err, path, SINK_KV_PART, v);
    v = parquet_reader_kv(r, SINK_KV_LAST);
    if (!v || (strcmp(v, "true") != 0 && strcmp(v, "false") != 0))
        return bad_key(err, path, SINK_KV_LAST, v);
    out->last = strcmp(v, "true") == 0;
    v = parquet_reader_kv(r, SINK_KV_FORMAT_VERSION);
    if (v && small_int(v, 1, 1000000, &out->format_version) != 0)
        return bad_key(err, path, SINK_KV_FORMAT_VERSION, v);
    return 0;
}

int sink_footer_read(const char *path, struct sink_footer *out, struct arena *a,
                     struct sl_err *err)
{
    struct parquet_reader *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = parquet_reader_open_kv(path, &r, err)) != 0)
        return rc;
    if (!parquet_reader_kv(r, SINK_KV_RUN_ID))
        goto out; /* a Parquet file, not ours */
    if (!dup_kv(r, SINK_KV_RUN_ID, a, &out->run_id) || !dup_kv(r, SINK_KV_TABLE, a, &out->table) ||
        !dup_kv(r, SINK_KV_SCHEMA_VERSION, a, &out->schema_version) ||
        !dup_kv(r, SINK_KV_FORMAT, a, &out->format) || !dup_kv(r, SINK_KV_MODE, a, &out->mode)) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory reading the footer of \"%s\"", path);
        goto out;
    }
    if ((rc = parse_keys(r, path, out, err)) != 0)
        goto out;
    out->has_meta = true;
out:
    parquet_reader_close(r);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}
