/*
 * publish: rebuild {root}/output.yaml from what is durable on disk: every
 * configured table's watermark and schema. Rebuilding from the files
 * (rather than from what this process remembers) keeps the manifest right
 * when several processes sync different tables of one root: whoever writes
 * last writes everyone's latest state, because each writer holds an flock
 * on {root}/.output.yaml.lock while it reads the watermarks and replaces
 * the file. O(tables) file reads per write; fine for hundreds of tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/internal.h"
#include "state/clock.h"
#include "state/fsio.h"
#include "state/manifest.h"
#include "state/schema.h"
#include "state/watermark.h"

static size_t count_tables(const struct config *cfg)
{
    size_t n = 0;
    for (size_t d = 0; d < cfg->ndatabases; d++)
        for (size_t s = 0; s < cfg->databases[d].nschemas; s++)
            n += cfg->databases[d].schemas[s].ntables;
    return n;
}

/* Fill e for one table from its state files (strings from a). */
static int entry_for(const struct config *cfg, const struct config_database *db,
                     const struct config_schema *sc, const struct config_table *t,
                     struct arena *a, struct manifest_entry *e, struct sl_err *err)
{
    struct watermark wm;
    struct buf dir;
    const char **pk = NULL;
    size_t npk = 0;
    bool found = false, have_pk = false;
    int ret;

    memset(e, 0, sizeof(*e));
    e->db = db->name;
    e->schema = sc->name;
    e->table = t->name;
    e->uc_catalog = db->uc_catalog;
    e->uc_schema = sc->uc_schema;
    e->output_format = config_output_format_name(cfg->storage.output_format);
    e->scd_type = t->scd_type;
    e->soft_delete = t->soft_delete;
    buf_init(&dir, 0);
    ret = watermark_load(cfg->storage.root, db->name, sc->name, t->name, a, &wm, &found, err);
    if (!ret && found) {
        e->schema_version = wm.schema_version;
        e->watermark = wm.pos;
        e->files = wm.files;
        e->nfiles = wm.nfiles;
        e->updated_at = wm.updated_at;
    }
    if (!ret)
        ret = watermark_dir(cfg->storage.root, db->name, sc->name, t->name, &dir, err);
    if (!ret)
        ret = schema_primary_key((const char *)dir.data, found ? wm.schema_version : NULL, a, &pk,
                                 &npk, &have_pk, err);
    if (!ret && have_pk) {
        e->primary_keys = pk;
        e->nprimary_keys = npk;
    }
    buf_free(&dir);
    return ret;
}

static int write_locked(const struct engine_options *opt, struct sl_err *err)
{
    const struct config *cfg = opt->manifest_cfg ? opt->manifest_cfg : opt->cfg;
    size_t n = count_tables(cfg), k = 0;
    struct arena a;
    struct manifest_entry *es;
    char now[CLOCK_ISO_LEN];
    int ret = 0;

    arena_init(&a, 0, 0);
    es = arena_alloc(&a, (n + 1) * sizeof(*es));
    if (!es) {
        arena_free(&a);
        return sl_err_set(err, SL_ENOMEM, "out of memory writing the manifest");
    }
    for (size_t d = 0; !ret && d < cfg->ndatabases; d++) {
        const struct config_database *db = &cfg->databases[d];
        for (size_t s = 0; !ret && s < db->nschemas; s++) {
            const struct config_schema *sc = &db->schemas[s];
            for (size_t t = 0; !ret && t < sc->ntables; t++)
                ret = entry_for(cfg, db, sc, &sc->tables[t], &a, &es[k++], err);
        }
    }
    if (!ret)
        ret = manifest_write(opt->io, cfg->storage.root, es, k, clock_iso8601(clock_now_ms(), now),
                             err);
    arena_free(&a);
    return ret;
}

int publish_manifest(struct engine_shared *sh, struct sl_err *err)
{
    const char *root = sh->opt->cfg->storage.root;
    char path[4096];
    int fd = -1, ret;

    pthread_mutex_lock(&sh->manifest_mu);
    ret = fsio_mkdirs(sh->opt->io, root, 0755, err);
    if (!ret) {
        snprintf(path, sizeof(path), "%s/.output.yaml.lock", root);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            ret = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot open \"%s\"", path);
    }
    while (!ret && flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR)
            ret = sl_err_errno(err, SL_EIO, errno, "cannot lock \"%s\"", path);
    }
    if (!ret)
        ret = write_locked(sh->opt, err);
    if (fd >= 0)
        close(fd); /* releases the flock */
    pthread_mutex_unlock(&sh->manifest_mu);
    return ret;
}
