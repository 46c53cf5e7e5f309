/*
 * recover: put a table's files and state back in order after a crash,
 * before its next run reads anything (docs/state.md "Crash recovery").
 *
 * Steps, with the table's lock held:
 *  1. A watermark whose run has no history line (the crash fell between
 *     storing the watermark and appending the line): append that line,
 *     from the watermark's own fields.
 *  2. List the files under {root}/data/{db}/{schema}/{table}/ (the date
 *     directories below it), read the sluice footer of each Parquet file.
 *  3. orphan_classify, then act: remove temps and files no watermark ever
 *     covered, adopt the complete interrupted run that starts at the
 *     watermark (store its watermark, then its history line), keep and
 *     warn about the rest.
 *
 * The cost is one directory walk and one footer read per file: O(files),
 * fine for the few hundred files a table accumulates per date.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "engine/internal.h"
#include "format/parquet/parquet.h"
#include "sink/sink.h"
#include "state/clock.h"
#include "state/fsio.h"
#include "state/history.h"
#include "state/orphan.h"
#include "state/watermark.h"

#define MAX_DEPTH 3
#define MAX_FILES 100000

struct scan {
    const char *root;
    struct arena *a;
    struct orphan_file *files;
    const char **modes;           /* footer sluice.mode per file */
    const char **schema_versions; /* footer sluice.schema_version per file */
    size_t n, cap;
    const char *ctx;
};

/* out = a "/" b; false when it does not fit (such a path is skipped). */
static bool join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n >= 0 && (size_t)n < cap;
}

static int add_file(struct scan *s, const char *rel, struct sl_err *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        if (cap > MAX_FILES)
            return sl_err_set(err, SL_ELIMIT, "table %s: more than %d files in its data directory",
                              s->ctx, MAX_FILES);
        struct orphan_file *f = arena_alloc(s->a, cap * sizeof(*f));
        const char **m = arena_alloc(s->a, cap * sizeof(*m));
        const char **v = arena_alloc(s->a, cap * sizeof(*v));
        if (!f || !m || !v)
            return sl_err_set(err, SL_ENOMEM, "table %s: out of memory listing files", s->ctx);
        if (s->n) {
            memcpy(f, s->files, s->n * sizeof(*f));
            memcpy(m, s->modes, s->n * sizeof(*m));
            memcpy(v, s->schema_versions, s->n * sizeof(*v));
        }
        s->files = f;
        s->modes = m;
        s->schema_versions = v;
        s->cap = cap;
    }
    struct orphan_file *f = &s->files[s->n];
    memset(f, 0, sizeof(*f));
    s->modes[s->n] = NULL;
    s->schema_versions[s->n] = NULL;
    f->path = arena_strdup(s->a, rel);
    if (!f->path)
        return sl_err_set(err, SL_ENOMEM, "table %s: out of memory listing files", s->ctx);
    s->n++;
    if (fsio_is_temp_name(rel))
        return 0;
    /* A final name: read its footer. Unreadable footers are kept (rule 2). */
    char abs[4096];
    struct sink_footer ft;
    struct sl_err e;
    sl_err_clear(&e);
    if (!join(abs, sizeof(abs), s->root, rel))
        return 0;
    if (sink_footer_read(abs, &ft, s->a, &e) != 0) {
        sl_log_warn(s->ctx, "cannot read the footer of %s: %s", rel, e.msg);
        return 0;
    }
    f->has_meta = ft.has_meta;
    f->run_id = ft.run_id;
    f->from = ft.from;
    f->to = ft.to;
    f->part = ft.part;
    f->last = ft.last;
    s->modes[s->n - 1] = ft.mode;
    s->schema_versions[s->n - 1] = ft.schema_version;
    return 0;
}

static bool wanted(const char *name)
{
    size_t n = strlen(name);
    if (fsio_is_temp_name(name))
        return true;
    return n > 8 && strcmp(name + n - 8, ".parquet") == 0;
}

/* Walk rel (relative to root) collecting data files. */
static int walk(struct scan *s, const char *rel, int depth, struct sl_err *err)
{
    char abs[4096];
    DIR *d;
    struct dirent *e;
    int ret = 0;

    if (!join(abs, sizeof(abs), s->root, rel))
        return 0;
    d = opendir(abs);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return sl_err_errno(err, sl_err_from_errno(errno), errno,
                            "cannot list the data directory \"%s\"", abs);
    }
    while (!ret && (e = readdir(d)) != NULL) {
        char child[4096];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!join(child, sizeof(child), rel, e->d_name) ||
            !join(abs, sizeof(abs), s->root, child) || lstat(abs, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
            ret = walk(s, child, depth + 1, err);
        else if (S_ISREG(st.st_mode) && wanted(e->d_name))
            ret = add_file(s, child, err);
    }
    closedir(d);
    return ret;
}

/* Step 1: the watermark's run must have a history line. */
static int heal_history(const struct engine_options *opt, const struct watermark *wm,
                        const struct history_entry *hist, size_t nh, const char *ctx,
                        struct sl_err *err)
{
    struct history_entry h;

    for (size_t i = 0; i < nh; i++) {
        if (hist[i].run_id && wm->run_id && strcmp(hist[i].run_id, wm->run_id) == 0)
            return 0;
    }
    sl_log_warn(ctx, "run %s stored its watermark but has no history line (a crash in between); "
                     "recording it now",
                wm->run_id ? wm->run_id : "(unknown)");
    memset(&h, 0, sizeof(h));
    h.run_id = wm->run_id;
    h.started_at = wm->updated_at;
    h.finished_at = wm->updated_at;
    h.status = HISTORY_OK;
    h.mode = wm->mode;
    h.to = wm->pos;
    /* An incremental run starts at the watermark before it, which is where
     * the last ok line ended: only the newest line can be missing, since
     * every run heals the history before it stores a watermark. */
    for (size_t i = nh; wm->mode == WM_MODE_INCREMENTAL && i-- > 0;) {
        if (hist[i].status == HISTORY_OK) {
            h.from = hist[i].to;
            break;
        }
    }
    if (wm->mode == WM_MODE_FULL)
        h.inserts = wm->rows; /* a full load is all inserts */
    h.files = wm->files;
    h.nfiles = wm->nfiles;
    return history_append(opt->io, opt->cfg->storage.root, wm->db, wm->schema, wm->table, &h,
                          err);
}

static int remove_file(const char *root, const char *rel, const char *ctx, const char *why)
{
    char abs[4096], dir[4096];
    struct sl_err e;

    snprintf(abs, sizeof(abs), "%s/%s", root, rel);
    if (unlink(abs) != 0 && errno != ENOENT) {
        sl_log_warn(ctx, "cannot remove %s: %s", rel, sl_strerror(sl_err_from_errno(errno)));
        return -1;
    }
    sl_log_info(ctx, "removed %s (%s)", rel, why);
    snprintf(dir, sizeof(dir), "%s", abs);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    sl_err_clear(&e);
    fsio_fsync_dir(NULL, dir, &e);
    return 0;
}

static int by_part(const void *a, const void *b)
{
    const struct orphan_file *x = *(const struct orphan_file *const *)a;
    const struct orphan_file *y = *(const struct orphan_file *const *)b;
    return (x->part > y->part) - (x->part < y->part);
}

/* Rows (from the footers) and bytes of the files paths[0..n). */
static void measure(const char *root, const char *const *paths, size_t n, int64_t *rows,
                    int64_t *bytes)
{
    *rows = *bytes = 0;
    for (size_t i = 0; i < n; i++) {
        char abs[4096];
        struct parquet_reader *pr = NULL;
        struct stat st;
        struct sl_err e;
        if (!join(abs, sizeof(abs), root, paths[i]))
            continue;
        sl_err_clear(&e);
        if (parquet_reader_open(abs, &pr, &e) == 0)
            *rows += (int64_t)parquet_reader_num_rows(pr);
        parquet_reader_close(pr);
        if (stat(abs, &st) == 0)
            *bytes += st.st_size;
    }
}

/* Step 3, adoption: the run's watermark, then its history line. */
static int adopt(const struct engine_options *opt, const struct scan *s,
                 const struct orphan_verdict *v, const struct orphan_adoption *ad, const char *db,
                 const char *schema, const char *table, struct sl_err *err)
{
    const struct orphan_file **parts = arena_alloc(s->a, (ad->nfiles + 1) * sizeof(*parts));
    const char **paths = arena_alloc(s->a, (ad->nfiles + 1) * sizeof(*paths));
    const char *mode = NULL, *schema_version = NULL;
    char now[CLOCK_ISO_LEN];
    struct watermark wm;
    struct history_entry h;
    size_t k = 0;
    int64_t rows = 0, bytes = 0;
    int ret;

    if (!parts || !paths)
        return sl_err_set(err, SL_ENOMEM, "table %s: out of memory", s->ctx);
    for (size_t i = 0; i < s->n && k < ad->nfiles; i++) {
        if (v[i].cls != ORPHAN_ADOPT)
            continue;
        parts[k++] = &s->files[i];
        mode = s->modes[i];
        schema_version = s->schema_versions[i];
    }
    qsort(parts, k, sizeof(*parts), by_part);
    for (size_t i = 0; i < k; i++)
        paths[i] = parts[i]->path;
    measure(opt->cfg->storage.root, paths, k, &rows, &bytes);
    memset(&wm, 0, sizeof(wm));
    wm.db = db;
    wm.schema = schema;
    wm.table = table;
    wm.pos = ad->to;
    wm.mode = parts[0]->from.kind == WM_POS_NONE || (mode && strcmp(mode, "full") == 0)
                  ? WM_MODE_FULL
                  : WM_MODE_INCREMENTAL;
    wm.run_id = ad->run_id;
    wm.rows = rows;
    wm.files = paths;
    wm.nfiles = k;
    wm.schema_version = schema_version;
    wm.updated_at = clock_iso8601(clock_now_ms(), now);
    ret = watermark_store(opt->io, opt->cfg->storage.root, &wm, err);
    if (ret)
        return ret;
    memset(&h, 0, sizeof(h));
    h.run_id = ad->run_id;
    h.started_at = now;
    h.finished_at = now;
    h.status = HISTORY_OK;
    h.mode = wm.mode;
    h.from = parts[0]->from;
    h.to = ad->to;
    if (wm.mode == WM_MODE_FULL)
        h.inserts = rows; /* an incremental run's split is not in its footers */
    h.files = paths;
    h.nfiles = k;
    h.bytes = bytes;
    ret = history_append(opt->io, opt->cfg->storage.root, db, schema, table, &h, err);
    if (!ret) {
        char pos[80];
        watermark_pos_format(&ad->to, pos, sizeof(pos));
        sl_log_warn(s->ctx, "adopted the complete files of interrupted run %s (%zu file(s), %lld "
                            "rows); watermark now at %s",
                    ad->run_id, k, (long long)rows, pos);
    }
    return ret;
}

static int act(const struct engine_options *opt, const struct scan *s,
               const struct orphan_verdict *v, const struct orphan_adoption *ad, const char *db,
               const char *schema, const char *table, bool *adopted, struct sl_err *err)
{
    for (size_t i = 0; i < s->n; i++) {
        switch (v[i].cls) {
        case ORPHAN_TEMP:
        case ORPHAN_REMOVE:
            remove_file(opt->cfg->storage.root, s->files[i].path, s->ctx, v[i].reason);
            break;
        case ORPHAN_KEEP:
            sl_log_warn(s->ctx, "kept %s: %s", s->files[i].path, v[i].reason);
            break;
        default:
            break;
        }
    }
    if (!ad->run_id)
        return 0;
    *adopted = true;
    return adopt(opt, s, v, ad, db, schema, table, err);
}

int recover_table(const struct engine_options *opt, const char *db, const char *schema,
                  const char *table, const char *ctx, bool *adopted, struct sl_err *err)
{
    const char *root = opt->cfg->storage.root;
    struct arena a;
    struct watermark wm;
    struct history_entry *hist = NULL;
    struct orphan_verdict *v = NULL;
    struct orphan_adoption ad;
    const char **ok = NULL;
    size_t nh = 0, nok = 0;
    bool found = false;
    char rel[4096];
    struct scan s;
    int ret;

    *adopted = false;
    arena_init(&a, 0, 0);
    memset(&s, 0, sizeof(s));
    s.root = root;
    s.a = &a;
    s.ctx = ctx;
    ret = watermark_load(root, db, schema, table, &a, &wm, &found, err);
    if (!ret)
        ret = history_read(root, db, schema, table, &a, &hist, &nh, err);
    if (!ret && found)
        ret = heal_history(opt, &wm, hist, nh, ctx, err);
    if (!ret) {
        snprintf(rel, sizeof(rel), "data/%s/%s/%s", db, schema, table);
        ret = walk(&s, rel, 1, err);
    }
    if (ret || s.n == 0)
        goto out;
    ok = arena_alloc(&a, (nh + 2) * sizeof(*ok));
    v = arena_alloc(&a, s.n * sizeof(*v));
    if (!ok || !v) {
        ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", ctx);
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        if (hist[i].status == HISTORY_OK && hist[i].run_id)
            ok[nok++] = hist[i].run_id;
    }
    if (found && wm.run_id)
        ok[nok++] = wm.run_id; /* healed above */
    ret = orphan_classify(found ? &wm : NULL, ok, nok, s.files, s.n, v, &ad, err);
    if (!ret)
        ret = act(opt, &s, v, &ad, db, schema, table, adopted, err);
out:
    arena_free(&a);
    return ret;
}
