/*
 * engine: engine and session lifecycle (engine.h): opening the data
 * directory, login, the per-session SQLite connection, and the entry
 * points that hand batches and RPCs to exec.c / rpc.c.
 *
 * A session's connection is an in-memory main database with the files of
 * master ("d1") and the current database attached; other databases are
 * attached on first reference. One engine is shared by all sessions; the
 * only shared mutable state is the database list (e->mu) and counters.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "eng.h"

const char *engine_version_string(void)
{
    return "Microsoft SQL Server 2022 (RTM) - 16.0.4003.1 (X64) \n\tCopyright (C) 2022 Microsoft Corporation\n\tDeveloper Edition (64-bit) on Linux (tdslite, SQLite " SQLITE_VERSION ")";
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char p[1400];
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int engine_open(const struct engine_config *cfg, struct engine **out, struct sl_err *err)
{
    struct engine *e = sl_calloc(1, sizeof(*e));
    *out = NULL;
    if (!e)
        return sl_err_set(err, SL_ENOMEM, "out of memory opening tdslite");
    pthread_mutex_init(&e->mu, NULL);
    atomic_init(&e->next_desc, 0);
    if (!cfg->sa_password) {
        sl_free(e);
        return sl_err_set(err, SL_ECONFIG, "tdslite needs an sa password");
    }
    e->sa_password = sl_strdup(cfg->sa_password);
    e->applocks = applock_table_new();
    if (!e->sa_password || !e->applocks) {
        engine_close(e);
        return sl_err_set(err, SL_ENOMEM, "out of memory opening tdslite");
    }
    if (cfg->data_dir) {
        e->data_dir = sl_strdup(cfg->data_dir);
        if (mkdir(cfg->data_dir, 0700) && errno != EEXIST) {
            sl_err_errno(err, SL_EIO, errno, "cannot create data directory \"%s\"", cfg->data_dir);
            engine_close(e);
            return SL_EIO;
        }
    } else {
        char tmpl[] = "/tmp/tdslite-XXXXXX";
        if (!mkdtemp(tmpl)) {
            sl_err_errno(err, SL_EIO, errno, "cannot create a temporary data directory");
            engine_close(e);
            return SL_EIO;
        }
        e->data_dir = sl_strdup(tmpl);
        e->temp_dir = true;
    }
    if (catalog_load_dbs(e, err)) {
        engine_close(e);
        return err->code ? err->code : SL_EIO;
    }
    if (cfg->cdc_capture_delay_ms && cdc_job_start(e, cfg->cdc_capture_delay_ms, err)) {
        engine_close(e);
        return err->code ? err->code : SL_EIO;
    }
    *out = e;
    return 0;
}

void engine_close(struct engine *e)
{
    if (!e)
        return;
    cdc_job_stop(e); /* before the databases go away */
    for (int i = 0; i < e->ndbs; i++) {
        sl_free(e->dbs[i].name);
        sl_free(e->dbs[i].path);
    }
    sl_free(e->dbs);
    if (e->temp_dir && e->data_dir)
        rm_tree(e->data_dir);
    sl_free(e->data_dir);
    sl_free(e->sa_password);
    applock_table_destroy(e->applocks);
    sl_free(e->logged_in);
    pthread_mutex_destroy(&e->mu);
    sl_free(e);
}

struct tl_faults *engine_faults(struct engine *e)
{
    return &e->faults;
}

static void session_defaults(struct engine_session *s)
{
    s->nocount = false;
    s->xact_abort = false;
    s->arithabort = false; /* SQL Server's default user options; clients set it */
    s->fmtonly = false;
    s->ansi_nulls = true;
    s->quoted_identifier = true;
    s->isolation = 2;
    s->textsize = 2147483647;
    s->lock_timeout = -1;
    s->datefirst = 7;
    snprintf(s->dateformat, sizeof(s->dateformat), "mdy");
    s->ident_insert_obj = 0;
    s->rowcount = 0;
    s->last_error = 0;
    s->has_ident = false;
    s->bulk_ready = false;
}

static void login_fail(const struct engine_out *out, void *ctx, int number, int sev, const char *text)
{
    struct engine_msg m = {number, 1, (uint8_t)sev, 1, text, ""};
    if (out && out->message)
        out->message(ctx, &m, true);
}

int engine_login(struct engine *e, const char *user, const char *password,
                 const char *database, uint16_t spid, const struct engine_out *out, void *ctx,
                 struct engine_session **sessp)
{
    char msg[400];
    struct db_entry d;
    struct engine_session *s = NULL;
    struct sqlerr se = {0};
    *sessp = NULL;
    snprintf(msg, sizeof(msg), "Login failed for user '%s'.", user ? user : "");
    if (atomic_load(&e->faults.refuse_logins) || !user || !*user)
        goto refused;
    s = sl_calloc(1, sizeof(*s));
    if (!s)
        return SL_ENOMEM;
    s->eng = e;
    s->spid = spid;
    snprintf(s->user, sizeof(s->user), "%s", user);
    snprintf(s->login_db, sizeof(s->login_db), "master");
    arena_init(&s->ba, 0, 0);
    arena_init(&s->ra, 0, 0);
    session_defaults(s);
    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        fn_register(s) != SQLITE_OK) {
        engine_session_close(s);
        login_fail(out, ctx, 18456, 14, msg);
        return SL_EIO;
    }
    sqlite3_busy_timeout(s->db, 600000);
    sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 125);
    /* master holds the logins; the login then picks its database */
    if (catalog_attach(s, 1, &se))
        goto refused;
    int auth = sec_login(s, user, password);
    if (auth == -2) {
        snprintf(msg, sizeof(msg), "Login failed for user '%s'. Reason: The account is disabled.", user);
        engine_session_close(s);
        login_fail(out, ctx, 18470, 14, msg);
        return SL_EAUTH;
    }
    if (auth)
        goto refused;
    const char *dbn = database && *database ? database : s->login_db;
    if (catalog_find_db(e, dbn, &d) || catalog_attach(s, d.id, &se) || sec_db_access(s, d.id, &se)) {
        char m2[400];
        snprintf(m2, sizeof(m2), "Cannot open database \"%s\" requested by the login. The login failed.", dbn);
        engine_session_close(s);
        login_fail(out, ctx, 4060, 11, m2);
        login_fail(out, ctx, 18456, 14, msg);
        return SL_EAUTH;
    }
    s->dbid = d.id;
    snprintf(s->dbname, sizeof(s->dbname), "%s", d.name);
    snprintf(s->login_db, sizeof(s->login_db), "%s", d.name);
    sec_session_begin(s);
    *sessp = s;
    return 0;
refused:
    engine_session_close(s);
    login_fail(out, ctx, 18456, 14, msg);
    return SL_EAUTH;
}

int engine_session_open_internal(struct engine *e, const struct engine_out *out, void *ctx,
                                 struct engine_session **sessp)
{
    struct sqlerr se = {0};
    struct engine_session *s = sl_calloc(1, sizeof(*s));
    *sessp = NULL;
    if (!s)
        return SL_ENOMEM;
    s->eng = e;
    snprintf(s->user, sizeof(s->user), "sa"); /* the engine acts as sysadmin */
    s->sysadmin = true;
    s->login_id = 1;
    s->login_sid[0] = 1;
    s->login_sid_len = 1;
    arena_init(&s->ba, 0, 0);
    arena_init(&s->ra, 0, 0);
    session_defaults(s);
    s->out = out;
    s->ctx = ctx;
    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        fn_register(s) != SQLITE_OK || catalog_attach(s, 1, &se)) {
        engine_session_close(s);
        return SL_EIO;
    }
    sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 125);
    s->dbid = 1;
    snprintf(s->dbname, sizeof(s->dbname), "master");
    *sessp = s;
    return 0;
}

void engine_session_close(struct engine_session *s)
{
    if (!s)
        return;
    s->out = NULL;
    /* logout: the session's application locks go, both owners */
    applock_release_owner(s, true);
    applock_release_owner(s, false);
    sec_session_end(s);
    if (s->db) {
        if (s->sq_txn)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close_v2(s->db);
    }
    exec_vars_clear(s);
    sl_free(s->vars);
    for (int i = 0; i < s->npreps; i++) {
        sl_free(s->preps[i].params);
        sl_free(s->preps[i].stmt);
    }
    sl_free(s->preps);
    sl_free(s->pcache); /* the entries' ASTs live in s->ba */
    for (int i = 0; i < s->nsavepoints; i++)
        sl_free(s->savepoints[i]);
    arena_free(&s->ba);
    arena_free(&s->ra);
    sl_free(s);
}

int engine_session_reset(struct engine_session *s, bool keep_tran)
{
    if (!keep_tran && s->trancount > 0) {
        const struct engine_out *o = s->out;
        s->out = NULL; /* no ENVCHANGE for a reset */
        txn_abort_all(s);
        s->out = o;
    }
    /* a pooled connection starts over: its Session-owned application
     * locks are freed, as sp_reset_connection frees the session's locks */
    applock_release_owner(s, true);
    session_defaults(s);
    exec_vars_clear(s);
    struct db_entry d;
    if (catalog_find_db(s->eng, s->login_db, &d) == 0) {
        s->dbid = d.id;
        snprintf(s->dbname, sizeof(s->dbname), "%s", d.name);
    }
    return 0;
}

const char *engine_session_database(const struct engine_session *s)
{
    return s->dbname;
}

uint64_t engine_session_transaction(const struct engine_session *s)
{
    return s->trancount > 0 ? s->tran_desc : 0;
}

int engine_batch(struct engine_session *s, const char *sql, size_t len,
                 const struct engine_out *out, void *ctx)
{
    s->out = out;
    s->ctx = ctx;
    s->closed = false;
    s->line_base = 0;
    exec_vars_clear(s);
    int rc = exec_batch_text(s, sql, len, false);
    exec_vars_clear(s);
    return rc;
}

int engine_rpc(struct engine_session *s, const char *proc, const struct engine_param *params,
               size_t nparams, const struct engine_out *out, void *ctx)
{
    s->out = out;
    s->ctx = ctx;
    s->closed = false;
    s->line_base = 0;
    return rpc_exec(s, proc, params, nparams);
}
