/*
 * security: logins, database users and roles, permissions, and the checks
 * SQL Server makes with them.
 *
 * Storage. Logins live in master's tl_logins (name, SID, salted SHA-256 of
 * the password, disabled flag, default database); sa is not stored: its
 * password comes from the command line and it is the only sysadmin. Every
 * database file has tl_principals (users 'S' and roles 'R', with the fixed
 * ids SQL Server gives public, dbo, guest, db_owner, db_datareader ...),
 * tl_role_members and tl_perms (class 0 database / 1 object / 3 schema,
 * major id, grantee, permission, state G / W (with grant option) / D).
 * A user maps to its login by SID, as in SQL Server: dropping a login
 * orphans its users, and a new login of the same name does not inherit
 * them.
 *
 * Checks. sa passes everything without a lookup, so the common test path
 * costs nothing. Another login maps to its user in each database (or to
 * guest where guest has CONNECT: master only, as SQL Server ships); dbo and
 * db_owner members pass; otherwise grants to the user, public and its roles
 * on the object, its schema or the database count, CONTROL implies every
 * permission, and a DENY anywhere on that path wins. Permissions are read
 * from the database at each check (one small query per statement), so a
 * GRANT is visible to other sessions as soon as it commits.
 *
 * Statements (CREATE/DROP/ALTER LOGIN, CREATE/DROP USER, CREATE/DROP/ALTER
 * ROLE, GRANT/DENY/REVOKE) are parsed here from the parser's tokens and run
 * inside the statement transaction like other DDL.
 *
 * Limits, on purpose: no column permissions, no schema or object owners
 * other than dbo (so ownership chaining inside procedures always holds and
 * checks are skipped there), no metadata visibility filtering of the
 * catalog views, no server roles other than sysadmin (sa).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/mem.h"
#include "eng.h"

enum {
    PR_PUBLIC = 0,
    PR_DBO = 1,
    PR_GUEST = 2,
    PR_DB_OWNER = 16384,
    PR_DB_DDLADMIN = 16387,
    PR_DB_SECURITYADMIN = 16386,
    PR_DB_DATAREADER = 16390,
    PR_DB_DATAWRITER = 16391,
    PR_DB_DENYDATAREADER = 16392,
    PR_DB_DENYDATAWRITER = 16393,
    FIRST_USER_ID = 5,
    FIRST_LOGIN_ID = 256,
};

/* ------------------------------------------------------------ SHA-256 */

/* FIPS 180-4 SHA-256, enough to keep passwords out of the data files. */
struct sha256 {
    uint32_t h[8];
    uint8_t buf[64];
    size_t nbuf;
    uint64_t total;
};

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(struct sha256 *c, const uint8_t *p)
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, c->h, sizeof(v));
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha_k[i] + w[i];
        uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof(uint32_t));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        c->h[i] += v[i];
}

static void sha_init(struct sha256 *c)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof(h0));
    c->nbuf = 0;
    c->total = 0;
}

static void sha_update(struct sha256 *c, const void *data, size_t n)
{
    const uint8_t *p = data;
    c->total += n;
    while (n > 0) {
        size_t k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, k);
        c->nbuf += k;
        p += k;
        n -= k;
        if (c->nbuf == 64) {
            sha_block(c, c->buf);
            c->nbuf = 0;
        }
    }
}

static void sha_final(struct sha256 *c, uint8_t out[32])
{
    uint64_t bits = c->total * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha_update(c, &pad, 1);
    while (c->nbuf != 56)
        sha_update(c, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(c, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

static void password_hash(const uint8_t salt[16], const char *pw, uint8_t out[32])
{
    struct sha256 c;
    sha_init(&c);
    sha_update(&c, salt, 16);
    sha_update(&c, pw, strlen(pw));
    sha_final(&c, out);
}

static void random_bytes(uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    /* getrandom cannot fail for 16 bytes after boot; if it ever did, mix
     * the clock in rather than leave zeros */
    for (size_t i = got; i < n; i++)
        p[i] = (uint8_t)(clock() ^ (long)(i * 131));
}

/* ------------------------------------------------------------ storage */

#define SEC_TABLES_SQL                                                                              \
    "CREATE TABLE IF NOT EXISTS %s.tl_principals(principal_id INTEGER PRIMARY KEY,"                \
    " name TEXT NOT NULL COLLATE NOCASE UNIQUE, type TEXT NOT NULL, sid BLOB, default_schema TEXT," \
    " create_date TEXT);"                                                                           \
    "CREATE TABLE IF NOT EXISTS %s.tl_role_members(role_id INTEGER NOT NULL, member_id INTEGER NOT NULL," \
    " PRIMARY KEY(role_id, member_id));"                                                            \
    "CREATE TABLE IF NOT EXISTS %s.tl_perms(class INTEGER NOT NULL, major_id INTEGER NOT NULL,"     \
    " grantee_id INTEGER NOT NULL, permission TEXT NOT NULL COLLATE NOCASE, state TEXT NOT NULL,"   \
    " PRIMARY KEY(class, major_id, grantee_id, permission));"                                      \
    "INSERT OR IGNORE INTO %s.tl_principals(principal_id, name, type, sid) VALUES"                  \
    " (0,'public','R',NULL),(1,'dbo','S',X'01'),(2,'guest','S',X'00'),(3,'INFORMATION_SCHEMA','S',NULL)," \
    " (4,'sys','S',NULL),(16384,'db_owner','R',NULL),(16385,'db_accessadmin','R',NULL),"            \
    " (16386,'db_securityadmin','R',NULL),(16387,'db_ddladmin','R',NULL),"                          \
    " (16389,'db_backupoperator','R',NULL),(16390,'db_datareader','R',NULL),"                       \
    " (16391,'db_datawriter','R',NULL),(16392,'db_denydatareader','R',NULL),"                       \
    " (16393,'db_denydatawriter','R',NULL);"                                                        \
    "INSERT OR IGNORE INTO %s.tl_role_members VALUES (16384, 1);"

/* master only: logins, and guest's CONNECT (any login may use master) */
#define SEC_MASTER_SQL                                                                              \
    "CREATE TABLE IF NOT EXISTS %s.tl_logins(principal_id INTEGER PRIMARY KEY,"                    \
    " name TEXT NOT NULL COLLATE NOCASE UNIQUE, sid BLOB NOT NULL, salt BLOB NOT NULL,"             \
    " pwhash BLOB NOT NULL, is_disabled INTEGER NOT NULL DEFAULT 0,"                                \
    " default_db TEXT NOT NULL DEFAULT 'master', is_policy_checked INTEGER NOT NULL DEFAULT 1,"     \
    " create_date TEXT);"                                                                           \
    "INSERT OR IGNORE INTO %s.tl_perms VALUES (0, 0, 2, 'CONNECT', 'G');"

/* Do the security tables exist in the file? A read, so that attaching a
 * database (every login attaches master) never waits for a writer. */
static bool has_tables(sqlite3 *db, const char *alias, int dbid)
{
    sqlite3_stmt *st = NULL;
    char *sql = sqlite3_mprintf("SELECT 1 FROM %s.tl_perms, %s.%s LIMIT 0", alias, alias,
                                dbid == 1 ? "tl_logins" : "tl_role_members");
    bool ok = sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return ok;
}

void sec_init_file(sqlite3 *db, const char *alias, int dbid)
{
    if (has_tables(db, alias, dbid))
        return;
    char *sql = sqlite3_mprintf(SEC_TABLES_SQL, alias, alias, alias, alias, alias);
    if (sql)
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (dbid == 1) {
        sql = sqlite3_mprintf(SEC_MASTER_SQL, alias, alias);
        if (sql)
            sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
}

static bool attached(struct engine_session *s, int dbid)
{
    for (int i = 0; i < s->nattached; i++)
        if (s->attached[i] == dbid)
            return true;
    return false;
}

/* Prepare sql (sqlite3_mprintf'd, freed here). NULL on failure. */
static sqlite3_stmt *prep(struct engine_session *s, char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sql && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        st = NULL;
    }
    sqlite3_free(sql);
    return st;
}

/* First column of the first row as an integer, or def. */
static int64_t query_int(struct engine_session *s, char *sql, int64_t def)
{
    sqlite3_stmt *st = prep(s, sql);
    int64_t v = def;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void now_text(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S.000", &tm);
}

/* ------------------------------------------------------------ login */

int sec_login(struct engine_session *s, const char *user, const char *password)
{
    if (strcasecmp(user, "sa") == 0) {
        if (!password || strcmp(password, s->eng->sa_password) != 0)
            return -1;
        snprintf(s->user, sizeof(s->user), "sa");
        s->sysadmin = true;
        s->login_id = 1;
        s->login_sid[0] = 1;
        s->login_sid_len = 1;
        return 0;
    }
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT principal_id, name, sid, salt, pwhash, is_disabled,"
                                               " default_db FROM \"d1\".tl_logins WHERE name = ?"));
    int rc = -1;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 3) == 16 &&
        sqlite3_column_bytes(st, 4) == 32 && sqlite3_column_bytes(st, 2) <= 16) {
        uint8_t h[32];
        password_hash(sqlite3_column_blob(st, 3), password ? password : "", h);
        if (memcmp(h, sqlite3_column_blob(st, 4), 32) == 0) {
            rc = sqlite3_column_int(st, 5) ? -2 : 0;
            s->login_id = sqlite3_column_int(st, 0);
            snprintf(s->user, sizeof(s->user), "%s", (const char *)sqlite3_column_text(st, 1));
            s->login_sid_len = sqlite3_column_bytes(st, 2);
            memcpy(s->login_sid, sqlite3_column_blob(st, 2), (size_t)s->login_sid_len);
            snprintf(s->login_db, sizeof(s->login_db), "%s", (const char *)sqlite3_column_text(st, 6));
            s->sysadmin = false;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

void sec_session_begin(struct engine_session *s)
{
    struct engine *e = s->eng;
    if (s->sysadmin || s->login_counted)
        return;
    pthread_mutex_lock(&e->mu);
    if (e->nlogged_in == e->caplogged_in) {
        int nc = e->caplogged_in ? e->caplogged_in * 2 : 16;
        int *n = sl_realloc(e->logged_in, sizeof(int) * (size_t)nc);
        if (n) {
            e->logged_in = n;
            e->caplogged_in = nc;
        }
    }
    if (e->nlogged_in < e->caplogged_in) { /* out of memory: DROP LOGIN just cannot tell */
        e->logged_in[e->nlogged_in++] = s->login_id;
        s->login_counted = true;
    }
    pthread_mutex_unlock(&e->mu);
}

void sec_session_end(struct engine_session *s)
{
    struct engine *e = s->eng;
    if (!e || !s->login_counted)
        return;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->nlogged_in; i++)
        if (e->logged_in[i] == s->login_id) {
            e->logged_in[i] = e->logged_in[--e->nlogged_in];
            break;
        }
    pthread_mutex_unlock(&e->mu);
    s->login_counted = false;
}

static bool logged_in(struct engine *e, int login_id)
{
    bool found = false;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->nlogged_in && !found; i++)
        found = e->logged_in[i] == login_id;
    pthread_mutex_unlock(&e->mu);
    return found;
}

/* ------------------------------------------------------------ principals */

/* The user of the session's login in database dbid: its principal id, or
 * -1 when it has none or no CONNECT there. sa is dbo everywhere. */
static int user_id(struct engine_session *s, int dbid)
{
    if (s->sysadmin)
        return PR_DBO;
    if (!attached(s, dbid))
        return -1;
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT principal_id FROM \"d%d\".tl_principals WHERE type = 'S'"
                                               " AND sid = ?", dbid));
    int id = -1;
    if (st) {
        sqlite3_bind_blob(st, 1, s->login_sid, s->login_sid_len, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (id < 0)
        id = PR_GUEST;
    /* a user (and guest) needs CONNECT on the database, not denied */
    int64_t ok = query_int(s, sqlite3_mprintf("SELECT max(state <> 'D') - max(state = 'D') FROM \"d%d\".tl_perms"
                                              " WHERE class = 0 AND grantee_id = %d AND permission = 'CONNECT'",
                                              dbid, id),
                           0);
    return ok > 0 ? id : -1;
}

void sec_user_name(struct engine_session *s, int dbid, char *out, size_t cap)
{
    int id = user_id(s, dbid);
    out[0] = 0;
    if (id == PR_DBO) {
        snprintf(out, cap, "dbo");
        return;
    }
    if (id < 0)
        return;
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT name FROM \"d%d\".tl_principals WHERE principal_id = %d",
                                               dbid, id));
    if (st && sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int sec_db_access(struct engine_session *s, int dbid, struct sqlerr *e)
{
    if (s->sysadmin || user_id(s, dbid) >= 0)
        return 0;
    struct db_entry d;
    sqlerr_set(e, 916, 14, "The server principal \"%s\" is not able to access the database \"%s\" under the current security context.",
               s->user, catalog_find_db_id(s->eng, dbid, &d) == 0 ? d.name : "?");
    e->state = 1;
    return -1;
}

/* Role memberships of uid that decide on their own (fixed roles). */
struct roles {
    bool owner, ddladmin, secadmin, reader, writer, denyreader, denywriter;
};

/*
 * Evaluate `perm` for principal uid in database dbid at class cls (1
 * object, 3 schema, 0 database) on object obj / schema sch. Returns 1
 * granted, 0 not, and fills *r with the fixed-role memberships.
 */
static int perm_eval(struct engine_session *s, int dbid, int uid, int cls, int64_t obj, int64_t sch,
                     const char *perm, struct roles *r)
{
    bool any = ieq(perm, "ANY");
    char *sql = sqlite3_mprintf(
        "WITH RECURSIVE m(id) AS (SELECT ?1 UNION SELECT 0 UNION SELECT r.role_id FROM \"d%d\".tl_role_members r"
        " JOIN m ON r.member_id = m.id),"
        " p AS (SELECT x.state, x.permission FROM \"d%d\".tl_perms x JOIN m ON x.grantee_id = m.id"
        " WHERE ((?2 AND x.permission IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'EXECUTE', 'REFERENCES',"
        " 'ALTER', 'VIEW DEFINITION', 'VIEW CHANGE TRACKING', 'TAKE OWNERSHIP')) OR x.permission IN (?3, 'CONTROL')) AND ((?4 = 1 AND x.class = 1 AND x.major_id = ?5)"
        " OR (?4 IN (1, 3) AND x.class = 3 AND x.major_id = ?6) OR x.class = 0))"
        " SELECT (SELECT count(*) FROM p WHERE state = 'D'), (SELECT count(*) FROM p WHERE state <> 'D'),"
        " %d IN m, %d IN m, %d IN m, %d IN m, %d IN m, %d IN m, %d IN m",
        dbid, dbid, PR_DB_OWNER, PR_DB_DDLADMIN, PR_DB_SECURITYADMIN, PR_DB_DATAREADER, PR_DB_DATAWRITER,
        PR_DB_DENYDATAREADER, PR_DB_DENYDATAWRITER);
    sqlite3_stmt *st = prep(s, sql);
    int denies = 0, grants = 0;
    memset(r, 0, sizeof(*r));
    if (!st)
        return 0;
    sqlite3_bind_int(st, 1, uid);
    sqlite3_bind_int(st, 2, any);
    sqlite3_bind_text(st, 3, perm, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, cls);
    sqlite3_bind_int64(st, 5, obj);
    sqlite3_bind_int64(st, 6, sch);
    if (sqlite3_step(st) == SQLITE_ROW) {
        denies = sqlite3_column_int(st, 0);
        grants = sqlite3_column_int(st, 1);
        r->owner = sqlite3_column_int(st, 2);
        r->ddladmin = sqlite3_column_int(st, 3);
        r->secadmin = sqlite3_column_int(st, 4);
        r->reader = sqlite3_column_int(st, 5);
        r->writer = sqlite3_column_int(st, 6);
        r->denyreader = sqlite3_column_int(st, 7);
        r->denywriter = sqlite3_column_int(st, 8);
    }
    sqlite3_finalize(st);
    if (r->owner)
        return 1;
    bool data_read = ieq(perm, "SELECT") || any;
    bool data_write = ieq(perm, "INSERT") || ieq(perm, "UPDATE") || ieq(perm, "DELETE");
    /* the fixed data roles act as a grant (or deny) on every object */
    if (!any && ((data_read && r->denyreader) || (data_write && r->denywriter)))
        return 0;
    if ((data_read && r->reader) || (data_write && r->writer) || (any && r->writer))
        grants++;
    if (denies > 0 && !any)
        return 0;
    return grants > 0;
}

bool sec_has_perm(struct engine_session *s, int dbid, int64_t object_id, const char *permission)
{
    if (s->sysadmin)
        return true;
    int uid = user_id(s, dbid);
    if (uid < 0)
        return false;
    if (uid == PR_DBO)
        return true;
    int64_t sch = -1;
    if (object_id) {
        sch = query_int(s, sqlite3_mprintf("SELECT schema_id FROM \"d%d\".tl_objects WHERE object_id = %lld",
                                           dbid, (long long)object_id), -1);
        if (sch < 0)
            return false;
    }
    struct roles r;
    return perm_eval(s, dbid, uid, object_id ? 1 : 0, object_id ? object_id : -1, sch, permission, &r) > 0;
}

int sec_check_object(struct engine_session *s, int dbid, int64_t object_id, const char *dbname,
                     const char *schema, const char *name, const char *permission,
                     struct sqlerr *e)
{
    if (s->sysadmin || s->nestlevel > 0)
        return 0;
    if (sec_db_access(s, dbid, e))
        return -1;
    if (sec_has_perm(s, dbid, object_id, permission))
        return 0;
    sqlerr_set(e, 229, 14, "The %s permission was denied on the object '%s', database '%s', schema '%s'.",
               permission, name, dbname, schema);
    e->state = 5;
    return -1;
}

/* Is the session's user dbo or in db_owner / db_ddladmin (DDL rights)? */
static bool ddl_rights(struct engine_session *s, int dbid, bool *secadmin)
{
    *secadmin = s->sysadmin;
    if (s->sysadmin)
        return true;
    int uid = user_id(s, dbid);
    if (uid < 0)
        return false;
    if (uid == PR_DBO) {
        *secadmin = true;
        return true;
    }
    struct roles r;
    perm_eval(s, dbid, uid, 0, -1, -1, "CONTROL", &r);
    *secadmin = r.owner || r.secadmin;
    return r.owner || r.ddladmin;
}

static char *name3_text(struct arena *a, const struct name3 *n)
{
    if (n->schema)
        return arena_printf(a, "%s.%s", n->schema, n->name);
    return arena_strdup(a, n->name ? n->name : "");
}

int sec_check_ddl(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    bool sa;
    if (s->sysadmin || st->kind == ST_SECURITY)
        return 0;
    switch (st->kind) {
    case ST_CREATE_DB:
        sqlerr_set(e, 262, 14, "CREATE DATABASE permission denied in database 'master'.");
        return -1;
    case ST_DROP_DB:
        sqlerr_set(e, 3701, 14, "Cannot drop the database '%s', because it does not exist or you do not have permission.",
                   st->ident);
        return -1;
    case ST_ALTER_DB: {
        struct db_entry d;
        int dbid = st->ident ? (catalog_find_db(s->eng, st->ident, &d) == 0 ? d.id : -1) : s->dbid;
        if (dbid > 0 && attached(s, dbid) && ddl_rights(s, dbid, &sa) && sa)
            return 0;
        sqlerr_set(e, 5011, 14, "User does not have permission to alter database '%s', the database does not exist, or the database is not in a state that allows access checks.",
                   st->ident ? st->ident : s->dbname);
        return -1;
    }
    default:
        break;
    }
    if (ddl_rights(s, s->dbid, &sa))
        return 0;
    const char *what = NULL;
    switch (st->kind) {
    case ST_CREATE_TABLE: what = "CREATE TABLE"; break;
    case ST_CREATE_PROC: what = st->proc_mode == PROC_ALTER ? NULL : "CREATE PROCEDURE"; break;
    case ST_CREATE_SCHEMA: what = "CREATE SCHEMA"; break;
    default: break;
    }
    if (what) {
        if (sec_has_perm(s, s->dbid, 0, what))
            return 0;
        sqlerr_set(e, 262, 14, "%s permission denied in database '%s'.", what, s->dbname);
        return -1;
    }
    /* the rest acts on an existing object: ALTER (or CONTROL) on it */
    int64_t oid = st->name.name ? catalog_object_id(s, name3_text(&s->ba, &st->name),
                                                    st->kind == ST_DROP_PROC || st->kind == ST_CREATE_PROC ? "P" : "U")
                                : 0;
    if (oid && sec_has_perm(s, s->dbid, oid, "ALTER"))
        return 0;
    const char *n = st->kind == ST_DROP_SCHEMA || st->kind == ST_CREATE_SCHEMA ? st->ident : st->name.name;
    switch (st->kind) {
    case ST_DROP_TABLE:
        sqlerr_set(e, 3701, 11, "Cannot drop the table '%s', because it does not exist or you do not have permission.",
                   name3_text(&s->ba, &st->name));
        break;
    case ST_DROP_PROC:
        sqlerr_set(e, 3701, 11, "Cannot drop the procedure '%s', because it does not exist or you do not have permission.",
                   name3_text(&s->ba, &st->name));
        break;
    case ST_DROP_SCHEMA:
        sqlerr_set(e, 3701, 11, "Cannot drop the schema '%s', because it does not exist or you do not have permission.",
                   n ? n : "");
        break;
    case ST_ALTER_TABLE:
        sqlerr_set(e, 4902, 16, "Cannot find the object \"%s\" because it does not exist or you do not have permissions.",
                   name3_text(&s->ba, &st->name));
        break;
    case ST_CREATE_PROC:
        sqlerr_set(e, 15151, 16, "Cannot alter the procedure '%s', because it does not exist or you do not have permission.",
                   n ? n : "");
        break;
    default:
        sqlerr_set(e, 1088, 16, "Cannot find the object \"%s\" because it does not exist or you do not have permissions.",
                   name3_text(&s->ba, &st->name));
        break;
    }
    return -1;
}

/* ------------------------------------------------------------ names */

int sec_split_name(const char *text, char parts[3][260])
{
    int np = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    if (!*p)
        return 0;
    while (np < 3) {
        size_t k = 0;
        if (*p == '[') {
            p++;
            while (*p && !(*p == ']' && p[1] != ']')) {
                if (*p == ']')
                    p++; /* "]]" is one ']' */
                if (k < 259)
                    parts[np][k++] = *p;
                p++;
            }
            if (*p == ']')
                p++;
        } else if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                if (k < 259)
                    parts[np][k++] = *p;
                p++;
            }
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != '.' && k < 259)
                parts[np][k++] = *p++;
            while (k > 0 && parts[np][k - 1] == ' ')
                k--;
        }
        parts[np][k] = 0;
        np++;
        if (*p != '.')
            break;
        p++;
    }
    return np;
}

/* ------------------------------------------------------------ statements */

enum sec_kind {
    SK_CREATE_LOGIN,
    SK_ALTER_LOGIN,
    SK_DROP_LOGIN,
    SK_CREATE_USER,
    SK_DROP_USER,
    SK_CREATE_ROLE,
    SK_DROP_ROLE,
    SK_ROLE_ADD,
    SK_ROLE_DROP,
    SK_GRANT,
    SK_DENY,
    SK_REVOKE,
    SK_UNSUPPORTED,
};

struct sec_stmt {
    enum sec_kind kind;
    char *name;          /* login, user or role */
    char *login;         /* CREATE USER ... FOR LOGIN login */
    bool without_login;
    char *password;      /* CREATE/ALTER LOGIN ... PASSWORD = '...' */
    bool has_password;
    char *default_db;
    int check_policy;    /* -1 unspecified, 0 OFF, 1 ON */
    int enable;          /* ALTER LOGIN ENABLE (1) / DISABLE (0), -1 neither */
    char *member;        /* ALTER ROLE ... ADD|DROP MEMBER member */
    bool if_exists;
    char **perms;        /* upper-cased, single-spaced */
    int nperms;
    bool column_list;    /* GRANT SELECT (a, b) ...: not supported */
    int cls;             /* 0 database, 1 object, 3 schema */
    bool has_on;
    struct name3 on;
    char **grantees;
    int ngrantees;
    bool grant_option;   /* GRANT ... WITH GRANT OPTION, REVOKE GRANT OPTION FOR */
    const char *what;    /* SK_UNSUPPORTED */
};

/* A cursor over the parser's tokens; t[n - 1] is TK_EOF. */
struct cur {
    const struct token *t;
    int n, i;
    struct arena *a;
    bool bad;
};

static const struct token *tk(struct cur *c) { return &c->t[c->i < c->n ? c->i : c->n - 1]; }
static const struct token *tk_at(struct cur *c, int k)
{
    int j = c->i + k;
    return &c->t[j < c->n ? j : c->n - 1];
}
static bool is_word(const struct token *t, const char *w) { return t->kind == TK_IDENT && ieq(t->text, w); }
static bool at_word(struct cur *c, const char *w) { return !c->bad && is_word(tk(c), w); }
static bool at_op(struct cur *c, const char *o)
{
    return !c->bad && tk(c)->kind == TK_OP && strcmp(tk(c)->text, o) == 0;
}
static bool take(struct cur *c, const char *w)
{
    if (!at_word(c, w))
        return false;
    c->i++;
    return true;
}
static bool take_op(struct cur *c, const char *o)
{
    if (!at_op(c, o))
        return false;
    c->i++;
    return true;
}
static void need(struct cur *c, const char *w)
{
    if (!take(c, w))
        c->bad = true;
}
static void need_op(struct cur *c, const char *o)
{
    if (!take_op(c, o))
        c->bad = true;
}

static char *name_tok(struct cur *c)
{
    const struct token *t = tk(c);
    if (c->bad || (t->kind != TK_IDENT && t->kind != TK_QIDENT)) {
        c->bad = true;
        return NULL;
    }
    c->i++;
    return arena_strdup(c->a, t->text);
}

/* A string literal ('x' or N'x'). */
static char *string_tok(struct cur *c)
{
    const struct token *t = tk(c);
    if (c->bad || (t->kind != TK_STR && t->kind != TK_NSTR)) {
        c->bad = true;
        return NULL;
    }
    c->i++;
    return arena_strdup(c->a, t->text);
}

/* [db.][schema.]name */
static struct name3 name3_tok(struct cur *c)
{
    char *parts[3] = {NULL, NULL, NULL};
    int np = 0;
    struct name3 n = {0};
    parts[np++] = name_tok(c);
    while (np < 3 && take_op(c, "."))
        parts[np++] = name_tok(c);
    n.name = parts[np - 1];
    n.schema = np >= 2 ? parts[np - 2] : NULL;
    n.db = np >= 3 ? parts[0] : NULL;
    return n;
}

static char **list_add(struct cur *c, char **list, int *n, char *v)
{
    char **nl = arena_alloc(c->a, sizeof(char *) * (size_t)(*n + 1));
    if (!nl) {
        c->bad = true;
        return list;
    }
    if (*n)
        memcpy(nl, list, sizeof(char *) * (size_t)*n);
    nl[(*n)++] = v;
    return nl;
}

bool sec_is_stmt(const struct token *t, int n, int i)
{
    const struct token *a = &t[i], *b = &t[i + 1 < n ? i + 1 : n - 1];
    if (is_word(a, "GRANT") || is_word(a, "DENY") || is_word(a, "REVOKE"))
        return true;
    if (is_word(a, "CREATE") || is_word(a, "DROP") || is_word(a, "ALTER"))
        return is_word(b, "LOGIN") || is_word(b, "USER") || is_word(b, "ROLE");
    return false;
}

/* WITH PASSWORD = '...' [MUST_CHANGE], DEFAULT_DATABASE = db,
 * CHECK_POLICY = ON|OFF, CHECK_EXPIRATION = ON|OFF, DEFAULT_LANGUAGE = x */
static void login_options(struct cur *c, struct sec_stmt *ss)
{
    do {
        if (take(c, "PASSWORD")) {
            need_op(c, "=");
            ss->password = string_tok(c);
            ss->has_password = true;
            if (take(c, "HASHED"))
                ss->what = "CREATE LOGIN ... PASSWORD ... HASHED";
            take(c, "MUST_CHANGE");
            take(c, "UNLOCK");
        } else if (take(c, "DEFAULT_DATABASE")) {
            need_op(c, "=");
            ss->default_db = name_tok(c);
        } else if (take(c, "CHECK_POLICY") || take(c, "CHECK_EXPIRATION")) {
            bool policy = is_word(&c->t[c->i - 1], "CHECK_POLICY");
            need_op(c, "=");
            bool on = at_word(c, "ON");
            if (!take(c, "ON"))
                need(c, "OFF");
            if (policy)
                ss->check_policy = on;
        } else if (take(c, "DEFAULT_LANGUAGE") || take(c, "SID") || take(c, "CREDENTIAL") ||
                   take(c, "OLD_PASSWORD") || take(c, "NAME")) {
            need_op(c, "=");
            if (tk(c)->kind == TK_BIN || tk(c)->kind == TK_STR || tk(c)->kind == TK_NSTR)
                c->i++;
            else
                name_tok(c);
        } else {
            c->bad = true;
        }
    } while (!c->bad && take_op(c, ","));
}

/* One permission name: words up to ',', '(', ON, TO or FROM. */
static char *perm_name(struct cur *c)
{
    char buf[128] = "";
    size_t len = 0;
    while (!c->bad && tk(c)->kind == TK_IDENT && !at_word(c, "ON") && !at_word(c, "TO") &&
           !at_word(c, "FROM")) {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", tk(c)->text);
        if (len >= sizeof(buf))
            break;
        c->i++;
    }
    if (!len) {
        c->bad = true;
        return NULL;
    }
    return upper_dup(c->a, buf);
}

static void grant_stmt(struct cur *c, struct sec_stmt *ss)
{
    if (ss->kind == SK_REVOKE && at_word(c, "GRANT") && is_word(tk_at(c, 1), "OPTION")) {
        c->i += 2;
        need(c, "FOR");
        ss->grant_option = true;
    }
    do {
        char *p = perm_name(c);
        if (at_op(c, "(")) { /* a column list */
            ss->column_list = true;
            while (!c->bad && !take_op(c, ")") && tk(c)->kind != TK_EOF)
                c->i++;
        }
        ss->perms = list_add(c, ss->perms, &ss->nperms, p);
    } while (!c->bad && take_op(c, ","));
    ss->cls = 0;
    if (take(c, "ON")) {
        ss->has_on = true;
        ss->cls = 1;
        if (tk(c)->kind == TK_IDENT && tk_at(c, 1)->kind == TK_OP && strcmp(tk_at(c, 1)->text, "::") == 0) {
            const char *cl = tk(c)->text;
            ss->cls = ieq(cl, "OBJECT") ? 1 : ieq(cl, "SCHEMA") ? 3 : ieq(cl, "DATABASE") ? 0 : -1;
            c->i += 2;
        }
        if (ss->cls < 0)
            ss->what = arena_printf(c->a, "GRANT/DENY/REVOKE on a %s", tk_at(c, -2)->text);
        ss->on = name3_tok(c);
    }
    if (!take(c, "TO") && !(ss->kind == SK_REVOKE && take(c, "FROM")))
        c->bad = true;
    do
        ss->grantees = list_add(c, ss->grantees, &ss->ngrantees, name_tok(c));
    while (!c->bad && take_op(c, ","));
    if (ss->kind == SK_GRANT && take(c, "WITH")) {
        need(c, "GRANT");
        need(c, "OPTION");
        ss->grant_option = true;
    }
    take(c, "CASCADE");
    if (take(c, "AS"))
        name_tok(c);
}

static void create_drop_alter(struct cur *c, struct sec_stmt *ss, const char *verb)
{
    const char *obj = tk(c)->text;
    c->i++;
    bool create = ieq(verb, "CREATE"), drop = ieq(verb, "DROP");
    if (drop && at_word(c, "IF") && is_word(tk_at(c, 1), "EXISTS")) {
        c->i += 2;
        ss->if_exists = true;
    }
    ss->name = name_tok(c);
    if (ieq(obj, "LOGIN")) {
        ss->kind = create ? SK_CREATE_LOGIN : drop ? SK_DROP_LOGIN : SK_ALTER_LOGIN;
        if (create && take(c, "FROM")) {
            ss->what = "CREATE LOGIN ... FROM WINDOWS/EXTERNAL PROVIDER/CERTIFICATE";
            name_tok(c);
            if (take(c, "WITH"))
                login_options(c, ss);
        } else if (create) {
            need(c, "WITH");
            login_options(c, ss);
            if (!ss->has_password)
                c->bad = true;
        } else if (!drop) {
            if (take(c, "ENABLE"))
                ss->enable = 1;
            else if (take(c, "DISABLE"))
                ss->enable = 0;
            else {
                need(c, "WITH");
                login_options(c, ss);
            }
        }
    } else if (ieq(obj, "USER")) {
        ss->kind = create ? SK_CREATE_USER : drop ? SK_DROP_USER : SK_UNSUPPORTED;
        if (!create && !drop)
            ss->what = "ALTER USER";
        if (create) {
            if (take(c, "FOR") || take(c, "FROM")) {
                need(c, "LOGIN");
                ss->login = name_tok(c);
            } else if (take(c, "WITHOUT")) {
                need(c, "LOGIN");
                ss->without_login = true;
            }
            if (take(c, "WITH")) {
                need(c, "DEFAULT_SCHEMA");
                need_op(c, "=");
                name_tok(c);
            }
        }
    } else { /* ROLE */
        ss->kind = create ? SK_CREATE_ROLE : drop ? SK_DROP_ROLE : SK_ROLE_ADD;
        if (create && take(c, "AUTHORIZATION"))
            name_tok(c);
        if (!create && !drop) {
            if (take(c, "ADD"))
                ss->kind = SK_ROLE_ADD;
            else if (take(c, "DROP"))
                ss->kind = SK_ROLE_DROP;
            else if (take(c, "WITH")) {
                ss->kind = SK_UNSUPPORTED;
                ss->what = "ALTER ROLE ... WITH NAME";
                need(c, "NAME");
                need_op(c, "=");
                name_tok(c);
                return;
            } else {
                c->bad = true;
            }
            need(c, "MEMBER");
            ss->member = name_tok(c);
        }
    }
}

int sec_parse(struct arena *a, const struct token *t, int n, int *pos, struct stmt *st)
{
    struct cur c = {t, n, *pos, a, false};
    struct sec_stmt *ss = arena_alloc(a, sizeof(*ss));
    if (!ss)
        return -1;
    memset(ss, 0, sizeof(*ss));
    ss->check_policy = -1;
    ss->enable = -1;
    const char *verb = tk(&c)->text;
    c.i++;
    if (ieq(verb, "GRANT") || ieq(verb, "DENY") || ieq(verb, "REVOKE")) {
        ss->kind = ieq(verb, "GRANT") ? SK_GRANT : ieq(verb, "DENY") ? SK_DENY : SK_REVOKE;
        grant_stmt(&c, ss);
    } else {
        create_drop_alter(&c, ss, verb);
    }
    *pos = c.i;
    if (c.bad)
        return -1;
    if (ss->what && ss->kind != SK_UNSUPPORTED)
        ss->kind = SK_UNSUPPORTED;
    st->sec = ss;
    return 0;
}

/* ------------------------------------------------------------ running them */

static bool is_known_perm(const char *p)
{
    static const char *const known[] = {
        "SELECT", "INSERT", "UPDATE", "DELETE", "EXECUTE", "EXEC", "REFERENCES", "ALTER", "CONTROL",
        "VIEW DEFINITION", "VIEW CHANGE TRACKING", "TAKE OWNERSHIP", "CONNECT", "CREATE TABLE",
        "CREATE PROCEDURE", "CREATE VIEW", "CREATE FUNCTION", "CREATE SCHEMA", "CREATE TYPE",
        "VIEW DATABASE STATE", "SHOWPLAN", "ALTER ANY SCHEMA", "ALTER ANY USER", "ALTER ANY ROLE",
        "IMPERSONATE", "RECEIVE", "AUTHENTICATE", "BACKUP DATABASE", "BACKUP LOG", "CHECKPOINT",
        "UNMASK", "VIEW DATABASE PERFORMANCE STATE", "VIEW SECURITY DEFINITION", NULL};
    for (int i = 0; known[i]; i++)
        if (ieq(p, known[i]))
            return true;
    return false;
}

/* Principal id of name in database dbid (users and roles), or -1. */
static int principal_id(struct engine_session *s, int dbid, const char *name, char *type)
{
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT principal_id, type FROM \"d%d\".tl_principals WHERE name = ?",
                                               dbid));
    int id = -1;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int(st, 0);
            if (type)
                *type = *(const char *)sqlite3_column_text(st, 1);
        }
    }
    sqlite3_finalize(st);
    return id;
}

static int exec_bound(struct engine_session *s, sqlite3_stmt *st, struct sqlerr *e)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int no_permission(struct sqlerr *e)
{
    sqlerr_set(e, 15247, 16, "User does not have permission to perform this action.");
    return -1;
}

/* SQL Server's password policy on Linux (CHECK_POLICY = ON, the default). */
static int check_policy(const char *pw, struct sqlerr *e)
{
    size_t n = strlen(pw);
    int upper = 0, lower = 0, digit = 0, other = 0;
    if (n < 8) {
        sqlerr_set(e, 33062, 16, "Password validation failed. The password does not meet SQL Server password policy requirements because it is too short. The password must be at least 8 characters.");
        e->state = 2;
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        if (isupper(*p))
            upper = 1;
        else if (islower(*p))
            lower = 1;
        else if (isdigit(*p))
            digit = 1;
        else
            other = 1;
    }
    if (upper + lower + digit + other < 3) {
        sqlerr_set(e, 33064, 16, "Password validation failed. The password does not meet SQL Server password policy requirements because it is not complex enough. The password must be at least 8 characters long and contain characters from three of the following four sets: Uppercase letters, Lowercase letters, Base 10 digits, and Symbols.");
        e->state = 2;
        return -1;
    }
    return 0;
}

static int set_password(struct engine_session *s, struct sec_stmt *ss, bool create, struct sqlerr *e)
{
    uint8_t salt[16], sid[16], h[32];
    char now[32];
    if (ss->check_policy != 0 && check_policy(ss->password, e))
        return -1;
    random_bytes(salt, sizeof(salt));
    password_hash(salt, ss->password, h);
    sqlite3_stmt *st;
    if (create) {
        random_bytes(sid, sizeof(sid));
        now_text(now, sizeof(now));
        st = prep(s, sqlite3_mprintf("INSERT INTO \"d1\".tl_logins(principal_id, name, sid, salt, pwhash, default_db,"
                                     " is_policy_checked, create_date) VALUES ((SELECT max(%d, coalesce(max(principal_id) + 1, 0))"
                                     " FROM \"d1\".tl_logins), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                     FIRST_LOGIN_ID));
        if (st) {
            sqlite3_bind_text(st, 1, ss->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 2, sid, 16, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 3, salt, 16, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 4, h, 32, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, ss->default_db ? ss->default_db : "master", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 6, ss->check_policy != 0);
            sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
        }
    } else {
        st = prep(s, sqlite3_mprintf("UPDATE \"d1\".tl_logins SET salt = ?1, pwhash = ?2 WHERE name = ?3"));
        if (st) {
            sqlite3_bind_blob(st, 1, salt, 16, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 2, h, 32, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, ss->name, -1, SQLITE_TRANSIENT);
        }
    }
    return exec_bound(s, st, e);
}

static bool login_exists(struct engine_session *s, const char *name)
{
    if (strcasecmp(name, "sa") == 0)
        return true;
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT 1 FROM \"d1\".tl_logins WHERE name = ?"));
    bool found = false;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

static int run_login(struct engine_session *s, struct sec_stmt *ss, struct sqlerr *e)
{
    struct db_entry d;
    if (!s->sysadmin)
        return no_permission(e);
    if (txn_lock(s, 1, e))
        return -1;
    bool exists = login_exists(s, ss->name);
    bool is_sa = strcasecmp(ss->name, "sa") == 0;
    if (ss->kind == SK_CREATE_LOGIN && exists) {
        sqlerr_set(e, 15025, 16, "The server principal '%s' already exists.", ss->name);
        return -1;
    }
    if (ss->kind != SK_CREATE_LOGIN && (!exists || is_sa)) {
        if (ss->kind == SK_DROP_LOGIN && ss->if_exists && !exists)
            return 0;
        sqlerr_set(e, 15151, 16, "Cannot %s the login '%s', because it does not exist or you do not have permission.",
                   ss->kind == SK_DROP_LOGIN ? "drop" : "alter", ss->name);
        return -1;
    }
    if (ss->default_db && catalog_find_db(s->eng, ss->default_db, &d)) {
        sqlerr_set(e, 15010, 16, "The database '%s' does not exist. Supply a valid database name. To see available databases, use sys.databases.",
                   ss->default_db);
        return -1;
    }
    if (ss->kind == SK_CREATE_LOGIN)
        return set_password(s, ss, true, e);
    if (ss->kind == SK_DROP_LOGIN) {
        sqlite3_stmt *q = prep(s, sqlite3_mprintf("SELECT principal_id FROM \"d1\".tl_logins WHERE name = ?"));
        int id = -1;
        if (q) {
            sqlite3_bind_text(q, 1, ss->name, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(q) == SQLITE_ROW)
                id = sqlite3_column_int(q, 0);
        }
        sqlite3_finalize(q);
        if (id >= 0 && logged_in(s->eng, id)) {
            sqlerr_set(e, 15434, 16, "Could not drop login '%s' as the user is currently logged in.", ss->name);
            return -1;
        }
        sqlite3_stmt *st = prep(s, sqlite3_mprintf("DELETE FROM \"d1\".tl_logins WHERE name = ?"));
        if (st)
            sqlite3_bind_text(st, 1, ss->name, -1, SQLITE_TRANSIENT);
        return exec_bound(s, st, e);
    }
    if (ss->has_password && set_password(s, ss, false, e))
        return -1;
    if (ss->enable >= 0 || ss->default_db) {
        sqlite3_stmt *st = prep(s, sqlite3_mprintf("UPDATE \"d1\".tl_logins SET is_disabled = coalesce(?1, is_disabled),"
                                                   " default_db = coalesce(?2, default_db) WHERE name = ?3"));
        if (st) {
            if (ss->enable >= 0)
                sqlite3_bind_int(st, 1, !ss->enable);
            if (ss->default_db)
                sqlite3_bind_text(st, 2, d.name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, ss->name, -1, SQLITE_TRANSIENT);
        }
        return exec_bound(s, st, e);
    }
    return 0;
}

/* The SID of login `name` into sid (sa's is 0x01); its length, or 0. */
static int login_sid(struct engine_session *s, const char *name, uint8_t sid[16])
{
    if (strcasecmp(name, "sa") == 0) {
        sid[0] = 1;
        return 1;
    }
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT sid FROM \"d1\".tl_logins WHERE name = ?"));
    int n = 0;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) <= 16) {
            n = sqlite3_column_bytes(st, 0);
            memcpy(sid, sqlite3_column_blob(st, 0), (size_t)n);
        }
    }
    sqlite3_finalize(st);
    return n;
}

static int new_principal(struct engine_session *s, const char *name, const char *type, const uint8_t *sid,
                         int sidlen, struct sqlerr *e)
{
    char now[32];
    now_text(now, sizeof(now));
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_principals(principal_id, name, type, sid, create_date)"
                                               " VALUES ((SELECT max(%d, coalesce(max(principal_id) + 1, 0)) FROM \"d%d\".tl_principals"
                                               " WHERE principal_id < 16384), ?1, ?2, ?3, ?4) RETURNING principal_id",
                                               s->dbid, FIRST_USER_ID, s->dbid));
    if (!st) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        return -1;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    if (sid)
        sqlite3_bind_blob(st, 3, sid, sidlen, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    int id = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int(st, 0);
    else
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
    sqlite3_finalize(st);
    return id;
}

static int run_user_role(struct engine_session *s, struct sec_stmt *ss, struct sqlerr *e)
{
    bool secadmin;
    ddl_rights(s, s->dbid, &secadmin);
    if (!secadmin)
        return no_permission(e);
    char type = 0;
    int id = principal_id(s, s->dbid, ss->name, &type);
    bool role = ss->kind == SK_CREATE_ROLE || ss->kind == SK_DROP_ROLE;
    if (ss->kind == SK_CREATE_USER || ss->kind == SK_CREATE_ROLE) {
        uint8_t sid[16];
        int sidlen = 0;
        if (id >= 0) {
            sqlerr_set(e, 15023, 16, "User, group, or role '%s' already exists in the current database.", ss->name);
            return -1;
        }
        if (ss->kind == SK_CREATE_USER && !ss->without_login) {
            const char *login = ss->login ? ss->login : ss->name;
            sidlen = login_sid(s, login, sid);
            if (!sidlen) {
                sqlerr_set(e, 15007, 16, "'%s' is not a valid login or you do not have permission.", login);
                return -1;
            }
            sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT 1 FROM \"d%d\".tl_principals WHERE sid = ?", s->dbid));
            bool mapped = false;
            if (st) {
                sqlite3_bind_blob(st, 1, sid, sidlen, SQLITE_TRANSIENT);
                mapped = sqlite3_step(st) == SQLITE_ROW;
            }
            sqlite3_finalize(st);
            if (mapped) {
                sqlerr_set(e, 15063, 16, "The login already has an account under a different user name.");
                return -1;
            }
        }
        int nid = new_principal(s, ss->name, role ? "R" : "S", sidlen ? sid : NULL, sidlen, e);
        if (nid < 0)
            return -1;
        if (role)
            return 0;
        /* CREATE USER grants CONNECT, as SQL Server does */
        char *sql = sqlite3_mprintf("INSERT OR REPLACE INTO \"d%d\".tl_perms VALUES (0, 0, %d, 'CONNECT', 'G')",
                                    s->dbid, nid);
        int rc = exec_sql(s, sql, e);
        sqlite3_free(sql);
        return rc;
    }
    /* DROP USER / DROP ROLE */
    if (id < 0 || (role ? type != 'R' : type != 'S')) {
        if (ss->if_exists && id < 0)
            return 0;
        sqlerr_set(e, 15151, 16, "Cannot drop the %s '%s', because it does not exist or you do not have permission.",
                   role ? "role" : "user", ss->name);
        return -1;
    }
    if (id < FIRST_USER_ID || id >= 16384) {
        sqlerr_set(e, 15150, 16, "Cannot drop the %s '%s'.", role ? "role" : "user", ss->name);
        return -1;
    }
    if (role && query_int(s, sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_role_members WHERE role_id = %d",
                                             s->dbid, id), 0) > 0) {
        sqlerr_set(e, 15144, 16, "The role has members. It must be empty before it can be dropped.");
        return -1;
    }
    char *sql = sqlite3_mprintf("DELETE FROM \"d%d\".tl_principals WHERE principal_id = %d;"
                                "DELETE FROM \"d%d\".tl_role_members WHERE member_id = %d OR role_id = %d;"
                                "DELETE FROM \"d%d\".tl_perms WHERE grantee_id = %d",
                                s->dbid, id, s->dbid, id, id, s->dbid, id);
    int rc = exec_sql(s, sql, e);
    sqlite3_free(sql);
    return rc;
}

static int run_role_member(struct engine_session *s, struct sec_stmt *ss, struct sqlerr *e)
{
    bool secadmin;
    bool owner = ddl_rights(s, s->dbid, &secadmin) && secadmin;
    char type = 0, mtype = 0;
    int role = principal_id(s, s->dbid, ss->name, &type);
    if (role < 0 || type != 'R' || role == PR_PUBLIC) {
        sqlerr_set(e, 15151, 16, "Cannot alter the role '%s', because it does not exist or you do not have permission.",
                   ss->name);
        return -1;
    }
    if (!secadmin || (role == PR_DB_OWNER && !owner)) {
        sqlerr_set(e, 15151, 16, "Cannot alter the role '%s', because it does not exist or you do not have permission.",
                   ss->name);
        return -1;
    }
    int member = principal_id(s, s->dbid, ss->member, &mtype);
    if (member < 0 || member == PR_PUBLIC) {
        sqlerr_set(e, 15151, 16, "Cannot %s the principal '%s', because it does not exist or you do not have permission.",
                   ss->kind == SK_ROLE_ADD ? "add" : "drop", ss->member);
        return -1;
    }
    char *sql = ss->kind == SK_ROLE_ADD
                    ? sqlite3_mprintf("INSERT OR IGNORE INTO \"d%d\".tl_role_members VALUES (%d, %d)", s->dbid, role, member)
                    : sqlite3_mprintf("DELETE FROM \"d%d\".tl_role_members WHERE role_id = %d AND member_id = %d",
                                      s->dbid, role, member);
    int rc = exec_sql(s, sql, e);
    sqlite3_free(sql);
    return rc;
}

/* The securable of GRANT/DENY/REVOKE: class major id, or -1 with e. */
static int64_t securable(struct engine_session *s, struct sec_stmt *ss, struct sqlerr *e)
{
    if (ss->cls == 0) {
        if (ss->has_on && !ieq(ss->on.name, s->dbname)) {
            sqlerr_set(e, 15151, 16, "Cannot find the database '%s', because it does not exist or you do not have permission.",
                       ss->on.name);
            return -1;
        }
        return 0;
    }
    if (ss->cls == 3) {
        int id = catalog_schema_id(s, s->dbid, ss->on.name);
        if (id < 0)
            sqlerr_set(e, 15151, 16, "Cannot find the schema '%s', because it does not exist or you do not have permission.",
                       ss->on.name);
        return id;
    }
    int64_t id = 0;
    if (!ss->on.db || ieq(ss->on.db, s->dbname)) {
        int sid = catalog_schema_id(s, s->dbid, ss->on.schema ? ss->on.schema : "dbo");
        sqlite3_stmt *st = sid < 0 ? NULL
                                   : prep(s, sqlite3_mprintf("SELECT object_id FROM \"d%d\".tl_objects WHERE schema_id = %d"
                                                             " AND name = ? AND type IN ('U', 'V', 'P', 'FN', 'IF', 'TF')",
                                                             s->dbid, sid));
        if (st) {
            sqlite3_bind_text(st, 1, ss->on.name, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW)
                id = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    if (!id) {
        sqlerr_set(e, 15151, 16, "Cannot find the object '%s', because it does not exist or you do not have permission.",
                   ss->on.name);
        return -1;
    }
    return id;
}

static int run_grant(struct engine_session *s, struct sec_stmt *ss, struct sqlerr *e)
{
    bool secadmin;
    ddl_rights(s, s->dbid, &secadmin);
    if (ss->column_list) {
        sqlerr_set(e, 50000, 16, "Column permissions (GRANT/DENY/REVOKE ... (column, ...)) are not supported by tdslite.");
        return -1;
    }
    for (int i = 0; i < ss->nperms; i++)
        if (!is_known_perm(ss->perms[i])) {
            sqlerr_set(e, 102, 15, "Incorrect syntax near '%s'.", ss->perms[i]);
            return -1;
        }
    int64_t major = securable(s, ss, e);
    if (major < 0)
        return -1;
    if (!secadmin) {
        sqlerr_set(e, 4613, 16, "Grantor does not have GRANT permission.");
        return -1;
    }
    for (int g = 0; g < ss->ngrantees; g++) {
        char type = 0;
        int id = principal_id(s, s->dbid, ss->grantees[g], &type);
        if (id < 0) {
            sqlerr_set(e, 15151, 16, "Cannot find the user '%s', because it does not exist or you do not have permission.",
                       ss->grantees[g]);
            return -1;
        }
        if (id == PR_DBO || id == 3 || id == 4) {
            sqlerr_set(e, 4617, 16, "Cannot grant, deny, or revoke permissions to sa, dbo, entity owner, information_schema, sys, or yourself.");
            return -1;
        }
        for (int k = 0; k < ss->nperms; k++) {
            const char *perm = ieq(ss->perms[k], "EXEC") ? "EXECUTE" : ss->perms[k];
            char *sql;
            if (ss->kind == SK_REVOKE && ss->grant_option)
                sql = sqlite3_mprintf("UPDATE \"d%d\".tl_perms SET state = 'G' WHERE class = %d AND major_id = %lld"
                                      " AND grantee_id = %d AND permission = %Q AND state = 'W'",
                                      s->dbid, ss->cls, (long long)major, id, perm);
            else if (ss->kind == SK_REVOKE)
                sql = sqlite3_mprintf("DELETE FROM \"d%d\".tl_perms WHERE class = %d AND major_id = %lld"
                                      " AND grantee_id = %d AND permission = %Q",
                                      s->dbid, ss->cls, (long long)major, id, perm);
            else
                sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_perms VALUES (%d, %lld, %d, %Q, %Q)"
                                      " ON CONFLICT DO UPDATE SET state = CASE WHEN state = 'W' AND excluded.state = 'G'"
                                      " THEN 'W' ELSE excluded.state END",
                                      s->dbid, ss->cls, (long long)major, id, perm,
                                      ss->kind == SK_DENY ? "D" : ss->grant_option ? "W" : "G");
            int rc = exec_sql(s, sql, e);
            sqlite3_free(sql);
            if (rc)
                return -1;
        }
    }
    return 0;
}

int sec_exec(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    struct sec_stmt *ss = st->sec;
    switch (ss->kind) {
    case SK_CREATE_LOGIN:
    case SK_ALTER_LOGIN:
    case SK_DROP_LOGIN:
        return run_login(s, ss, e);
    case SK_CREATE_USER:
    case SK_DROP_USER:
    case SK_CREATE_ROLE:
    case SK_DROP_ROLE:
        return run_user_role(s, ss, e);
    case SK_ROLE_ADD:
    case SK_ROLE_DROP:
        return run_role_member(s, ss, e);
    case SK_GRANT:
    case SK_DENY:
    case SK_REVOKE:
        return run_grant(s, ss, e);
    case SK_UNSUPPORTED:
        break;
    }
    sqlerr_set(e, 50000, 16, "%s is not supported by tdslite.", ss->what ? ss->what : "This security statement");
    return -1;
}

/* ------------------------------------------------------------ functions */

static struct engine_session *fsess(sqlite3_context *c) { return sqlite3_user_data(c); }

static const char *arg_text(sqlite3_value *v)
{
    return sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
}

/* HAS_PERMS_BY_NAME(securable, class, permission): 1, 0, or NULL when the
 * securable, class or permission is not valid. */
static void fn_has_perms(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    const char *sec = arg_text(argv[0]), *cls = arg_text(argv[1]), *perm = arg_text(argv[2]);
    char parts[3][260];
    if (!perm || (!is_known_perm(perm) && !ieq(perm, "ANY") && !ieq(perm, "CONNECT SQL") &&
                  !ieq(perm, "VIEW SERVER STATE") && !ieq(perm, "VIEW ANY DATABASE") &&
                  !ieq(perm, "CREATE ANY DATABASE") && !ieq(perm, "ALTER ANY LOGIN"))) {
        sqlite3_result_null(c);
        return;
    }
    if (!cls || ieq(cls, "SERVER")) {
        if (sec) {
            sqlite3_result_null(c);
            return;
        }
        sqlite3_result_int(c, s->sysadmin || ieq(perm, "CONNECT SQL") || ieq(perm, "VIEW ANY DATABASE"));
        return;
    }
    if (ieq(cls, "DATABASE")) {
        struct db_entry d;
        int dbid = s->dbid;
        if (sec) {
            if (catalog_find_db(s->eng, sec, &d) || !attached(s, d.id)) {
                sqlite3_result_null(c);
                return;
            }
            dbid = d.id;
        }
        sqlite3_result_int(c, sec_has_perm(s, dbid, 0, perm));
        return;
    }
    int np = sec ? sec_split_name(sec, parts) : 0;
    if (ieq(cls, "SCHEMA")) {
        int id = np == 1 ? catalog_schema_id(s, s->dbid, parts[0]) : -1;
        if (id < 0) {
            sqlite3_result_null(c);
            return;
        }
        if (s->sysadmin) {
            sqlite3_result_int(c, 1);
            return;
        }
        int uid = user_id(s, s->dbid);
        struct roles r;
        sqlite3_result_int(c, uid == PR_DBO || (uid >= 0 && perm_eval(s, s->dbid, uid, 3, -1, id, perm, &r) > 0));
        return;
    }
    if (!ieq(cls, "OBJECT") || np == 0) {
        sqlite3_result_null(c);
        return;
    }
    int dbid = s->dbid;
    struct db_entry d;
    if (np == 3 && parts[0][0]) {
        if (catalog_find_db(s->eng, parts[0], &d) || !attached(s, d.id)) {
            sqlite3_result_null(c);
            return;
        }
        dbid = d.id;
    }
    int sid = catalog_schema_id(s, dbid, np >= 2 && parts[np - 2][0] ? parts[np - 2] : "dbo");
    sqlite3_stmt *st = sid < 0 ? NULL
                               : prep(s, sqlite3_mprintf("SELECT object_id FROM \"d%d\".tl_objects WHERE schema_id = %d"
                                                         " AND name = ? AND type IN ('U', 'V', 'P', 'FN', 'IF', 'TF')",
                                                         dbid, sid));
    int64_t oid = 0;
    if (st) {
        sqlite3_bind_text(st, 1, parts[np - 1], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            oid = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!oid)
        sqlite3_result_null(c);
    else
        sqlite3_result_int(c, sec_has_perm(s, dbid, oid, perm));
}

/* IS_SRVROLEMEMBER(role [, login]): sa is the only sysadmin; every login is
 * in public; NULL for an unknown role or login. */
static void fn_is_srvrolemember(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct engine_session *s = fsess(c);
    static const char *const roles[] = {"sysadmin", "serveradmin", "dbcreator", "setupadmin", "processadmin",
                                        "diskadmin", "bulkadmin", "securityadmin", "public", NULL};
    const char *role = arg_text(argv[0]);
    const char *login = argc > 1 ? arg_text(argv[1]) : NULL;
    bool known = false;
    for (int i = 0; role && roles[i]; i++)
        known |= ieq(role, roles[i]);
    if (!known || (login && !login_exists(s, login))) {
        sqlite3_result_null(c);
        return;
    }
    bool sa = login ? strcasecmp(login, "sa") == 0 : s->sysadmin;
    sqlite3_result_int(c, ieq(role, "public") || sa);
}

/* IS_ROLEMEMBER(role [, database_principal]) / IS_MEMBER(role): 1, 0, or
 * NULL for an unknown role or principal. dbo counts as a db_owner member. */
static void fn_is_rolemember(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct engine_session *s = fsess(c);
    const char *role = arg_text(argv[0]);
    const char *who = argc > 1 ? arg_text(argv[1]) : NULL;
    char type = 0;
    int rid = role ? principal_id(s, s->dbid, role, &type) : -1;
    if (rid < 0 || type != 'R') {
        sqlite3_result_null(c);
        return;
    }
    int uid = who ? principal_id(s, s->dbid, who, NULL) : user_id(s, s->dbid);
    if (uid < 0) {
        sqlite3_result_null(c);
        return;
    }
    if (rid == PR_PUBLIC) {
        sqlite3_result_int(c, 1);
        return;
    }
    int64_t n = query_int(s, sqlite3_mprintf("WITH RECURSIVE m(id) AS (SELECT %d UNION SELECT r.role_id FROM"
                                             " \"d%d\".tl_role_members r JOIN m ON r.member_id = m.id)"
                                             " SELECT %d IN m", uid, s->dbid, rid), 0);
    sqlite3_result_int(c, n != 0);
}

/* USER_NAME(id): the database principal's name in the current database. */
static void fn_user_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT name FROM \"d%d\".tl_principals WHERE principal_id = %lld",
                                               s->dbid, (long long)sqlite3_value_int64(argv[0])));
    if (st && sqlite3_step(st) == SQLITE_ROW)
        sqlite3_result_text(c, (const char *)sqlite3_column_text(st, 0), -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(c);
    sqlite3_finalize(st);
}

/* USER_ID(name) / DATABASE_PRINCIPAL_ID(name): the principal's id in the
 * current database, NULL when unknown; without an argument, the session's
 * user. */
static void fn_user_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct engine_session *s = fsess(c);
    if (argc == 0) {
        int id = user_id(s, s->dbid);
        if (id < 0)
            sqlite3_result_null(c);
        else
            sqlite3_result_int(c, id);
        return;
    }
    const char *name = arg_text(argv[0]);
    int id = name ? principal_id(s, s->dbid, name, NULL) : -1;
    if (id < 0)
        sqlite3_result_null(c);
    else
        sqlite3_result_int(c, id);
}

/* SUSER_SNAME(sid) / SUSER_NAME(principal_id): a login's name. */
static void fn_suser_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    bool by_sid = sqlite3_value_type(argv[0]) == SQLITE_BLOB;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    if ((by_sid && sqlite3_value_bytes(argv[0]) == 1 && *(const uint8_t *)sqlite3_value_blob(argv[0]) == 1) ||
        (!by_sid && sqlite3_value_int64(argv[0]) == 1)) {
        sqlite3_result_text(c, "sa", -1, SQLITE_STATIC);
        return;
    }
    sqlite3_stmt *st = prep(s, sqlite3_mprintf("SELECT name FROM \"d1\".tl_logins WHERE %s = ?",
                                               by_sid ? "sid" : "principal_id"));
    if (st) {
        sqlite3_bind_value(st, 1, argv[0]);
        if (sqlite3_step(st) == SQLITE_ROW) {
            sqlite3_result_text(c, (const char *)sqlite3_column_text(st, 0), -1, SQLITE_TRANSIENT);
            sqlite3_finalize(st);
            return;
        }
    }
    sqlite3_finalize(st);
    sqlite3_result_null(c);
}

int sec_register(struct engine_session *s)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_has_perms", 3, fn_has_perms},
        {"tl_is_srvrolemember", 1, fn_is_srvrolemember},
        {"tl_is_srvrolemember", 2, fn_is_srvrolemember},
        {"tl_is_rolemember", 1, fn_is_rolemember},
        {"tl_is_rolemember", 2, fn_is_rolemember},
        {"tl_user_name", 1, fn_user_name},
        {"tl_user_id", 0, fn_user_id},
        {"tl_user_id", 1, fn_user_id},
        {"tl_suser_name", 1, fn_suser_name},
    };
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        int rc = sqlite3_create_function_v2(s->db, fns[i].name, fns[i].nargs, SQLITE_UTF8, s, fns[i].fn, NULL,
                                            NULL, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    return applock_register(s);
}

/* ------------------------------------------------------------ DML */

/* Does expression x read a column (outside subqueries, which check their
 * own FROM)? */
static bool refs_col(const struct expr *x)
{
    if (!x)
        return false;
    if (x->kind == EX_COL)
        return true;
    if (refs_col(x->a) || refs_col(x->b) || refs_col(x->c))
        return true;
    for (int i = 0; i < x->nargs; i++)
        if (refs_col(x->args[i]))
            return true;
    for (int i = 0; i < x->nwhens; i++)
        if (refs_col(x->whens[i].when) || refs_col(x->whens[i].then))
            return true;
    return false;
}

/* The FROM item that alias names (UPDATE a SET ... FROM t a). */
static const struct from_item *from_alias(const struct from_item *f, const char *alias)
{
    if (!f)
        return NULL;
    if (f->kind == FR_JOIN) {
        const struct from_item *l = from_alias(f->l, alias);
        return l ? l : from_alias(f->r, alias);
    }
    if (f->kind == FR_TABLE && ((f->alias && ieq(f->alias, alias)) || (!f->alias && ieq(f->name.name, alias))))
        return f;
    return NULL;
}

int sec_check_dml(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    if (s->sysadmin || s->nestlevel > 0)
        return 0;
    if (st->kind == ST_TRUNCATE)
        return sec_check_ddl(s, st, e);
    struct name3 n = st->name;
    if (st->from && !n.schema && !n.db) {
        const struct from_item *f = from_alias(st->from, n.name);
        if (f)
            n = f->name;
    }
    struct sqlerr ignored = {0};
    struct table_meta *tm = catalog_table(s, &s->ba, &n, &ignored);
    if (!tm)
        return 0; /* the statement itself answers 208 */
    const char *perm = st->kind == ST_INSERT ? "INSERT" : st->kind == ST_UPDATE ? "UPDATE" : "DELETE";
    if (sec_check_object(s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, perm, e))
        return -1;
    bool reads = st->kind != ST_INSERT && refs_col(st->where);
    for (int i = 0; st->kind == ST_UPDATE && i < st->nset && !reads; i++)
        reads = refs_col(st->set_vals[i]);
    if (reads && sec_check_object(s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, "SELECT", e))
        return -1;
    return 0;
}

/* ------------------------------------------------------------ applocks */

int sec_applock_principal(struct engine_session *s, int dbid, const char *name)
{
    char type = 0;
    int id = principal_id(s, dbid, name, &type);
    if (id < 0)
        return -1;
    if (s->sysadmin || id == PR_PUBLIC)
        return id;
    int uid = user_id(s, dbid);
    if (uid < 0)
        return -1;
    if (uid == PR_DBO || uid == id)
        return id;
    /* a member of the principal (a role), or of db_owner (a member of all) */
    int64_t n = query_int(s, sqlite3_mprintf("WITH RECURSIVE m(id) AS (SELECT %d UNION SELECT r.role_id FROM"
                                             " \"d%d\".tl_role_members r JOIN m ON r.member_id = m.id)"
                                             " SELECT %d IN m OR %d IN m", uid, dbid, id, PR_DB_OWNER), 0);
    return n ? id : -1;
}
