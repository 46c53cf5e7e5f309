/*
 * check and status: look, never write.
 *
 * `sluice check --config FILE` validates the file (printing the effective
 * configuration, password hidden), connects to every database and checks
 * each table: it exists, has a primary key, change tracking is on for the
 * database and the table, snapshot isolation is allowed, the login holds
 * SELECT and VIEW CHANGE TRACKING; then prints the plan the next sync
 * would follow and why. Exit 1 when anything would make a sync fail.
 *
 * `sluice status --config FILE` prints per table the watermark, the last
 * run (from sync_history.jsonl), its rows and the lag in versions (the
 * database's CHANGE_TRACKING_CURRENT_VERSION() minus the watermark).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/conn.h"
#include "engine/plan.h"
#include "source/catalog.h"
#include "source/ct.h"
#include "source/odbc.h"
#include "state/clock.h"
#include "state/history.h"
#include "state/schema.h"
#include "state/watermark.h"

static const char check_usage[] =
    "usage: sluice check --config FILE [--tables db.schema.table,...] [-v|-q]\n"
    "\n"
    "Validate the configuration, connect to every database and check each table: it exists,\n"
    "has a primary key, change tracking is on for the database and the table, snapshot\n"
    "isolation is allowed, and the login may read it (SELECT, VIEW CHANGE TRACKING).\n"
    "Prints the plan of the next sync for each table (full or incremental) and why.\n"
    "Writes nothing.\n"
    "\n"
    "  -c, --config FILE    configuration file\n"
    "  -t, --tables LIST    only these tables\n"
    "  -v, --verbose        more log detail\n"
    "  -q, --quiet          only problems\n"
    "  -h, --help           this help\n"
    "\n"
    "exit codes: 0 every table is ready, 1 some table is not, 2 usage or configuration error.\n";

static const char status_usage[] =
    "usage: sluice status --config FILE [--tables db.schema.table,...]\n"
    "\n"
    "Per table: the watermark (change tracking version), the last run and its status, the\n"
    "rows it landed, and the lag in versions behind the database's current version.\n"
    "Connects only to read CHANGE_TRACKING_CURRENT_VERSION(); writes nothing.\n"
    "\n"
    "  -c, --config FILE    configuration file\n"
    "  -t, --tables LIST    only these tables\n"
    "  -h, --help           this help\n"
    "\n"
    "exit codes: 0 ok, 1 a database could not be reached, 2 usage or configuration error.\n";

struct look_args {
    const char *config, *tables;
    int verbose;
    bool quiet;
};

static int parse(const char *cmd, const char *usage, int argc, char **argv, struct look_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"tables", required_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},      {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;

    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:t:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 't': a->tables = optarg; break;
        case 'v': a->verbose++; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(usage, stdout); return -1;
        case ':': return app_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
        default: return app_usage_error(cmd, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
    if (!a->config)
        return app_usage_error(cmd, "--config FILE is required");
    return 0;
}

/* ---- check -------------------------------------------------------------- */

struct check_table {
    const struct config *cfg;
    const struct config_database *db;
    const struct config_schema *sc;
    const struct config_table *t;
    char name[800];
    bool ok;
};

static void problem(struct check_table *c, const struct sl_err *e)
{
    c->ok = false;
    printf("  error: %s\n", e->msg);
    if (e->detail[0])
        printf("  detail: %s\n", e->detail);
    if (e->hint[0])
        printf("  hint: %s\n", e->hint);
}

static void problemf(struct check_table *c, const char *msg, const char *hint)
{
    struct sl_err e;
    sl_err_clear(&e);
    sl_err_set(&e, SL_ESTATE, "%s", msg);
    if (hint)
        sl_err_hint(&e, "%s", hint);
    problem(c, &e);
}

static void print_columns(const struct catalog_table *t)
{
    printf("  table %s: %zu column(s), primary key ", t->quoted, t->ncols);
    if (t->npk == 0)
        printf("none\n");
    for (size_t k = 0; k < t->npk; k++)
        printf("%s%s%s", k ? ", " : "(", t->cols[t->pk[k]].name, k + 1 == t->npk ? ")\n" : "");
}

/* Key columns of t differ from those of the watermark's schema version? */
static bool key_changed(struct check_table *c, const struct catalog_table *t,
                        const struct watermark *wm, struct arena *a)
{
    struct buf dir;
    const char **pk = NULL;
    size_t npk = 0;
    bool found = false, changed = false;
    struct sl_err e;

    buf_init(&dir, 0);
    sl_err_clear(&e);
    if (wm->schema_version &&
        watermark_dir(c->cfg->storage.root, c->db->name, c->sc->name, c->t->name, &dir, &e) == 0 &&
        schema_primary_key((const char *)dir.data, wm->schema_version, a, &pk, &npk, &found,
                           &e) == 0 &&
        found) {
        changed = npk != t->npk;
        for (size_t k = 0; !changed && k < npk; k++)
            changed = strcmp(pk[k], t->cols[t->pk[k]].name) != 0;
    }
    buf_free(&dir);
    return changed;
}

static void check_perms(struct check_table *c, struct odbc_conn *conn,
                        const struct catalog_table *t)
{
    bool sel = false, vct = false;
    struct sl_err e;

    sl_err_clear(&e);
    if (catalog_has_perm(conn, t, "SELECT", &sel, &e) != 0 ||
        catalog_has_perm(conn, t, "VIEW CHANGE TRACKING", &vct, &e) != 0) {
        printf("  permissions: cannot check\n");
        problem(c, &e);
        return;
    }
    printf("  permissions: SELECT %s, VIEW CHANGE TRACKING %s\n", sel ? "yes" : "no",
           vct ? "yes" : "no");
    if (!sel)
        problemf(c, "the login may not SELECT from the table",
                 "GRANT SELECT ON the table TO the login's database user");
    if (!vct && c->t->mode != CONFIG_MODE_FULL)
        problemf(c, "the login may not read the table's change tracking data",
                 "GRANT VIEW CHANGE TRACKING ON the table TO the login's database user");
}

static void check_plan(struct check_table *c, struct odbc_conn *conn,
                       const struct catalog_table *t, bool db_on, bool tab_on)
{
    struct plan_input in = {.table = c->name, .quoted = t->quoted, .db = c->db->name,
                            .mode = c->t->mode};
    struct arena a;
    struct watermark wm;
    struct plan p;
    bool cur_null = true, min_null = true;
    struct sl_err e;

    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    if (watermark_load(c->cfg->storage.root, c->db->name, c->sc->name, c->t->name, &a, &wm,
                       &in.have_watermark, &e) != 0) {
        problem(c, &e);
        goto out;
    }
    if (in.have_watermark) {
        char pos[80];
        watermark_pos_format(&wm.pos, pos, sizeof(pos));
        printf("  watermark: %s, stored %s by run %s\n", pos, wm.updated_at ? wm.updated_at : "?",
               wm.run_id ? wm.run_id : "?");
        in.watermark = wm.pos.version;
        in.pk_changed = key_changed(c, t, &wm, &a);
    } else {
        printf("  watermark: none\n");
    }
    if ((db_on || c->t->mode == CONFIG_MODE_FULL) &&
        ct_versions(conn, t, &in.current, &cur_null, &in.min_valid, &min_null, &e) != 0) {
        problem(c, &e);
        goto out;
    }
    in.db_tracked = db_on && !cur_null;
    in.table_tracked = tab_on && !min_null;
    if (in.have_watermark && wm.has_ct_begin && in.table_tracked) {
        int64_t begin = 0;
        bool begin_null = true;
        if (ct_begin_version(conn, t, &begin, &begin_null, &e) != 0) {
            problem(c, &e);
            goto out;
        }
        in.tracking_reset = !begin_null && begin != wm.ct_begin_version;
    }
    if (plan_decide(&in, &p, &e) != 0) {
        problem(c, &e);
        goto out;
    }
    printf("  plan: %s: %s\n", plan_kind_name(p.kind), p.reason);
out:
    arena_free(&a);
}

static void check_table(struct check_table *c, struct odbc_conn *conn, bool snapshot)
{
    struct catalog_table t;
    bool db_on = false, tab_on = false;
    struct sl_err e;

    catalog_table_init(&t);
    sl_err_clear(&e);
    printf("%s (mode %s)\n", c->name, config_mode_name(c->t->mode));
    if (catalog_get_table(conn, c->sc->name, c->t->name, &t, &e) != 0) {
        problem(c, &e);
        goto out;
    }
    print_columns(&t);
    if (t.npk == 0 && c->t->mode != CONFIG_MODE_FULL)
        problemf(c, "the table has no primary key",
                 "change tracking requires a primary key; add one, or use mode: full");
    if (catalog_ct_status(conn, &t, &db_on, &tab_on, &e) != 0) {
        problem(c, &e);
        goto out;
    }
    printf("  change tracking: %s for database %s, %s for the table\n", db_on ? "on" : "off",
           c->db->name, tab_on ? "on" : "off");
    printf("  snapshot isolation: %s\n", snapshot ? "allowed" : "not allowed");
    if (!snapshot && c->t->mode != CONFIG_MODE_FULL)
        problemf(c, "the database does not allow snapshot isolation, which sync reads changes in",
                 "run ALTER DATABASE ... SET ALLOW_SNAPSHOT_ISOLATION ON");
    check_perms(c, conn, &t);
    check_plan(c, conn, &t, db_on, tab_on);
out:
    printf("  => %s\n", c->ok ? "ready" : "NOT READY");
    catalog_table_free(&t);
}

static int check_database(const struct config *cfg, const struct config_database *db)
{
    struct odbc_conn *conn = NULL;
    bool snapshot = false, all_ok = true;
    struct sl_err e;
    char label[300];

    sl_err_clear(&e);
    conn_label(cfg, db->name, label, sizeof(label));
    printf("== database %s (%s)\n", db->name, label);
    if (conn_open(cfg, db->name, NULL, &conn, &e) != 0 ||
        catalog_snapshot_allowed(conn, &snapshot, &e) != 0) {
        printf("  error: %s\n", e.msg);
        if (e.hint[0])
            printf("  hint: %s\n", e.hint);
        odbc_close(conn);
        return APP_EXIT_FAILED;
    }
    printf("  connected\n");
    for (size_t s = 0; s < db->nschemas; s++) {
        for (size_t t = 0; t < db->schemas[s].ntables; t++) {
            struct check_table c = {.cfg = cfg, .db = db, .sc = &db->schemas[s],
                                    .t = &db->schemas[s].tables[t], .ok = true};
            snprintf(c.name, sizeof(c.name), "%s.%s.%s", db->name, c.sc->name, c.t->name);
            check_table(&c, conn, snapshot);
            all_ok = all_ok && c.ok;
        }
    }
    odbc_close(conn);
    return all_ok ? APP_EXIT_OK : APP_EXIT_FAILED;
}

int cmd_check(int argc, char **argv)
{
    struct look_args a;
    struct config *cfg = NULL;
    struct buf dump;
    int ret = parse("check", check_usage, argc, argv, &a);

    if (ret)
        return ret < 0 ? APP_EXIT_OK : ret;
    app_log_setup(a.verbose, a.quiet);
    ret = app_load_config(a.config, a.tables, &cfg);
    if (ret)
        return ret;
    buf_init(&dump, 0);
    if (config_redacted_dump(cfg, &dump) == 0) {
        printf("== configuration (valid)\n%s", (const char *)dump.data);
    }
    buf_free(&dump);
    for (size_t d = 0; d < cfg->ndatabases; d++) {
        if (check_database(cfg, &cfg->databases[d]) != APP_EXIT_OK)
            ret = APP_EXIT_FAILED;
    }
    printf("== %s\n", ret == APP_EXIT_OK ? "every table is ready" : "some tables are NOT ready");
    config_free(cfg);
    return ret;
}

/* ---- status ------------------------------------------------------------- */

/* CHANGE_TRACKING_CURRENT_VERSION() and the table's minimum valid version. */
static int versions_of(struct odbc_conn *conn, const char *schema, const char *table,
                       int64_t *cur, bool *cur_null, int64_t *minv, bool *min_null,
                       struct sl_err *err)
{
    struct catalog_table t;
    struct buf q;
    int ret;

    catalog_table_init(&t);
    buf_init(&q, 0);
    ret = catalog_quote_name(&q, schema, table);
    if (ret)
        ret = sl_err_set(err, ret, "out of memory");
    if (!ret) {
        t.schema = schema;
        t.name = table;
        t.quoted = (const char *)q.data;
        ret = ct_versions(conn, &t, cur, cur_null, minv, min_null, err);
    }
    buf_free(&q);
    catalog_table_free(&t);
    return ret;
}

static void status_row(const struct config *cfg, const struct config_database *db,
                       const struct config_schema *sc, const struct config_table *t,
                       struct odbc_conn *conn)
{
    struct arena a;
    struct watermark wm;
    struct history_entry *h = NULL;
    size_t nh = 0;
    bool found = false;
    char name[800], pos[64] = "-", lag[SL_ERR_MSG_MAX + 64] = "-", last[CLOCK_ISO_LEN] = "-", st[16] = "-",
         rows[32] = "-";
    struct sl_err e;

    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    snprintf(name, sizeof(name), "%s.%s.%s", db->name, sc->name, t->name);
    if (watermark_load(cfg->storage.root, db->name, sc->name, t->name, &a, &wm, &found, &e) != 0 ||
        history_read(cfg->storage.root, db->name, sc->name, t->name, &a, &h, &nh, &e) != 0) {
        printf("%-36s error: %s\n", name, e.msg);
        goto out;
    }
    if (nh > 0) {
        snprintf(last, sizeof(last), "%s", h[nh - 1].finished_at ? h[nh - 1].finished_at : "?");
        snprintf(st, sizeof(st), "%s", history_status_name(h[nh - 1].status));
    }
    if (found) {
        snprintf(pos, sizeof(pos), "%" PRId64, wm.pos.version);
        snprintf(rows, sizeof(rows), "%" PRId64, wm.rows);
        int64_t cur = 0, minv = 0;
        bool cur_null = true, min_null = true;
        if (!conn)
            snprintf(lag, sizeof(lag), "?");
        else if (versions_of(conn, sc->name, t->name, &cur, &cur_null, &minv, &min_null, &e) != 0)
            snprintf(lag, sizeof(lag), "? (%s)", e.msg);
        else if (cur_null)
            snprintf(lag, sizeof(lag), "? (change tracking off)");
        else if (!min_null && wm.pos.version < minv)
            snprintf(lag, sizeof(lag), "%" PRId64 " (too old: next sync reloads)",
                     cur - wm.pos.version);
        else
            snprintf(lag, sizeof(lag), "%" PRId64, cur - wm.pos.version);
    }
    printf("%-36s %10s  %-24s  %-7s %10s  %s\n", name, pos, last, st, rows, lag);
out:
    arena_free(&a);
}

int cmd_status(int argc, char **argv)
{
    struct look_args a;
    struct config *cfg = NULL;
    int ret = parse("status", status_usage, argc, argv, &a);

    if (ret)
        return ret < 0 ? APP_EXIT_OK : ret;
    app_log_setup(a.verbose, a.quiet);
    ret = app_load_config(a.config, a.tables, &cfg);
    if (ret)
        return ret;
    printf("%-36s %10s  %-24s  %-7s %10s  %s\n", "table", "watermark", "last run", "status",
           "rows", "lag (versions)");
    for (size_t d = 0; d < cfg->ndatabases; d++) {
        const struct config_database *db = &cfg->databases[d];
        struct odbc_conn *conn = NULL;
        struct sl_err e;
        sl_err_clear(&e);
        if (conn_open(cfg, db->name, NULL, &conn, &e) != 0) {
            app_print_err(db->name, &e);
            ret = APP_EXIT_FAILED;
        }
        for (size_t s = 0; s < db->nschemas; s++)
            for (size_t t = 0; t < db->schemas[s].ntables; t++)
                status_row(cfg, db, &db->schemas[s], &db->schemas[s].tables[t], conn);
        odbc_close(conn);
    }
    config_free(cfg);
    return ret;
}
