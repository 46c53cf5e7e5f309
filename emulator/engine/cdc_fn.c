/*
 * cdc_fn: the query side of Change Data Capture (spec ct-cdc.md B3-B5).
 *
 * Owns the table-valued functions cdc.fn_cdc_get_all_changes_<ci> and
 * cdc.fn_cdc_get_net_changes_<ci> (generated as SQLite subqueries over the
 * change table, shaped like the functions SQL Server generates: a first
 * branch that only validates the arguments, then the rows), the scalar
 * functions sys.fn_cdc_get_min_lsn/_get_max_lsn/_increment_lsn/
 * _decrement_lsn/_map_time_to_lsn/_map_lsn_to_time/_get_column_ordinal/
 * _is_bit_set/_has_column_changed, and the SQLite functions behind them.
 *
 * Invalid TVF arguments raise Msg 313 (level 16, state 3) with SQL Server's
 * deliberately misleading "insufficient number of arguments" text: NULL
 * bounds, from below the instance's low end point, to above the highest
 * LSN, from above to, an unknown row filter option (matched without regard
 * to case or surrounding blanks). A dropped instance's functions no longer
 * exist (208).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

static struct engine_session *sess(sqlite3_context *c) { return sqlite3_user_data(c); }

/* Raise a SQL Server error from inside a SQLite function. */
static void fail(sqlite3_context *c, int number, int severity, int state, const char *text)
{
    struct engine_session *s = sess(c);
    s->fnerr.number = number;
    s->fnerr.severity = severity;
    s->fnerr.state = state;
    snprintf(s->fnerr.text, sizeof(s->fnerr.text), "%s", text);
    s->fnerr.batch_abort = false;
    s->fnerr_set = true;
    sqlite3_result_error(c, s->fnerr.text, -1);
}

/* ------------------------------------------------------------ permissions */

/*
 * May the session read the change data of a capture instance of source
 * table source_oid gated by role (NULL: none)? sysadmin and db_owner may;
 * anyone else needs SELECT on the source table (*select_ok) and, for a
 * gated instance, membership in the role.
 */
static bool authorized(struct engine_session *s, int dbid, int64_t source_oid, const char *role,
                       bool *select_ok)
{
    *select_ok = sec_has_perm(s, dbid, source_oid, "SELECT");
    if (!*select_ok)
        return false;
    if (!role || sec_has_perm(s, dbid, 0, "CONTROL"))
        return true;
    sqlite3_stmt *st = NULL;
    bool member = false;
    if (sqlite3_prepare_v2(s->db, "SELECT tl_is_rolemember(?)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
        member = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    }
    sqlite3_finalize(st);
    return member;
}

/* The source table and gating role of instance ci; false when unknown. */
static bool instance_access(struct engine_session *s, int dbid, sqlite3_value *ci, int64_t *source_oid,
                            char *role, size_t cap)
{
    sqlite3_stmt *st = NULL;
    char sql[160];
    bool found = false;
    snprintf(sql, sizeof(sql), "SELECT source_object_id, role_name FROM \"d%d\".tl_cdc_tables WHERE capture_instance = ?",
             dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_bind_value(st, 1, ci) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        found = true;
        *source_oid = sqlite3_column_int64(st, 0);
        const unsigned char *r = sqlite3_column_text(st, 1);
        snprintf(role, cap, "%s", r ? (const char *)r : "");
    }
    sqlite3_finalize(st);
    return found;
}

/* tl_cdc_readable(dbid, capture_instance): 1 when the session may read the
 * instance's change data (fn_cdc_get_min_lsn and the column functions
 * answer as for an unknown instance otherwise). */
static void fn_readable(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = sess(c);
    int dbid = sqlite3_value_int(argv[0]);
    int64_t oid = 0;
    char role[260];
    bool sel;
    sqlite3_result_int(c, instance_access(s, dbid, argv[1], &oid, role, sizeof(role)) &&
                              authorized(s, dbid, oid, role[0] ? role : NULL, &sel));
}

/* ------------------------------------------------------------ row filter */

/* The row filter option as the generated functions read it: lower(trim()).
 * all changes: 1 'all', 2 'all update old'; net changes: 1 'all',
 * 2 'all with mask', 3 'all with merge'; 0 anything else. */
static int filter_code(const unsigned char *t, int n, bool net)
{
    if (!t)
        return 0;
    while (n > 0 && (*t == ' ' || *t == '\t'))
        t++, n--;
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    char low[40];
    if (n <= 0 || n >= (int)sizeof(low))
        return 0;
    for (int i = 0; i < n; i++)
        low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
    low[n] = 0;
    if (!strcmp(low, "all"))
        return 1;
    if (!net)
        return !strcmp(low, "all update old") ? 2 : 0;
    return !strcmp(low, "all with mask") ? 2 : !strcmp(low, "all with merge") ? 3 : 0;
}

/* tl_cdc_filter(option, net) */
static void fn_filter(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(c, filter_code(sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]),
                                      sqlite3_value_int(argv[1]) != 0));
}

/* ------------------------------------------------------------ LSN values */

/* One blob from a query with one bound text parameter (NULL when none). */
static void query_blob(sqlite3_context *c, const char *sql, sqlite3_value *arg, bool zeros_if_null)
{
    struct engine_session *s = sess(c);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (arg)
            sqlite3_bind_value(st, 1, arg);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            sqlite3_result_blob(c, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), SQLITE_TRANSIENT);
            sqlite3_finalize(st);
            return;
        }
    }
    sqlite3_finalize(st);
    if (zeros_if_null)
        sqlite3_result_zeroblob(c, CDC_LSN_LEN);
    else
        sqlite3_result_null(c);
}

/* tl_cdc_min_lsn(dbid, capture_instance): cdc.change_tables.start_lsn,
 * 0x00000000000000000000 when the instance does not exist or has no low
 * end point yet (never NULL: clients test for the zeros). */
static void fn_min_lsn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = sess(c);
    int dbid = sqlite3_value_int(argv[0]);
    int64_t oid = 0;
    char role[260];
    bool sel;
    if (!instance_access(s, dbid, argv[1], &oid, role, sizeof(role)) ||
        !authorized(s, dbid, oid, role[0] ? role : NULL, &sel)) {
        sqlite3_result_zeroblob(c, CDC_LSN_LEN); /* unknown instance or no access: zeros */
        return;
    }
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT start_lsn FROM \"d%d\".tl_cdc_tables WHERE capture_instance = ?",
             sqlite3_value_int(argv[0]));
    query_blob(c, sql, argv[1], true);
}

/* tl_cdc_lsn_add(lsn, delta): the 10 bytes as an unsigned 80-bit number
 * plus delta (+1 / -1); NULL in, NULL out; no wrap-around (NULL). */
static void fn_lsn_add(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    uint8_t v[CDC_LSN_LEN] = {0};
    const uint8_t *p = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    /* binary(10) semantics: shorter values are padded on the right */
    for (int i = 0; i < n && i < CDC_LSN_LEN; i++)
        v[i] = p[i];
    int delta = sqlite3_value_int(argv[1]);
    for (int i = CDC_LSN_LEN - 1; i >= 0; i--) {
        if (delta > 0) {
            if (++v[i] != 0)
                break;
        } else {
            if (v[i]-- != 0)
                break;
        }
        if (i == 0) {
            sqlite3_result_null(c);
            return;
        }
    }
    sqlite3_result_blob(c, v, CDC_LSN_LEN, SQLITE_TRANSIENT);
}

/* tl_cdc_map_time(dbid, relational_operator, datetime): the four
 * relations over cdc.lsn_time_mapping.tran_end_time; a lower bound takes
 * the smallest LSN of a shared time, an upper bound the largest. NULL for
 * no qualifying entry or an unknown operator. */
static void fn_map_time(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    static const char *const ops[4][3] = {
        {"largest less than", "max", "<"},
        {"largest less than or equal", "max", "<="},
        {"smallest greater than", "min", ">"},
        {"smallest greater than or equal", "min", ">="},
    };
    const unsigned char *op = sqlite3_value_text(argv[1]);
    int n = sqlite3_value_bytes(argv[1]);
    char low[64];
    int k = 0;
    while (op && n > 0 && *op == ' ')
        op++, n--;
    while (op && n > 0 && op[n - 1] == ' ')
        n--;
    for (int i = 0; op && i < n && k < (int)sizeof(low) - 1; i++)
        low[k++] = (char)(op[i] >= 'A' && op[i] <= 'Z' ? op[i] + 32 : op[i]);
    low[k] = 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(low, ops[i][0]) && sqlite3_value_type(argv[2]) != SQLITE_NULL) {
            char sql[200];
            snprintf(sql, sizeof(sql), "SELECT %s(start_lsn) FROM \"d%d\".tl_cdc_lsn_time WHERE tran_end_time %s ?",
                     ops[i][1], sqlite3_value_int(argv[0]), ops[i][2]);
            query_blob(c, sql, argv[2], false);
            return;
        }
    sqlite3_result_null(c);
}

/* tl_cdc_bit(position, mask): bit `position` of an update mask, 1 being
 * the lowest bit of the last byte; 0 outside the mask. */
static void fn_bit(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int64_t pos = sqlite3_value_int64(argv[0]);
    const uint8_t *m = sqlite3_value_blob(argv[1]);
    int n = sqlite3_value_bytes(argv[1]);
    if (pos < 1 || pos > (int64_t)n * 8) {
        sqlite3_result_int(c, 0);
        return;
    }
    int64_t byte = n - 1 - (pos - 1) / 8;
    sqlite3_result_int(c, (m[byte] >> ((pos - 1) % 8)) & 1);
}

/* tl_cdc_ormask(mask): aggregate (and window) OR of update masks
 * (sys.ORMask), aligned at the last byte. A count per bit makes it
 * invertible, so it works over any window frame. */
struct ormask {
    int32_t bits[128 * 8]; /* bit k of the mask counted from the last byte's lowest */
    int n;                 /* widest mask seen, bytes */
    int rows;              /* non-NULL masks in the frame */
};

static void ormask_add(sqlite3_context *c, sqlite3_value *v, int d)
{
    struct ormask *o = sqlite3_aggregate_context(c, sizeof(*o));
    if (!o || sqlite3_value_type(v) == SQLITE_NULL)
        return;
    const uint8_t *p = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v);
    if (n > 128)
        n = 128;
    if (n > o->n)
        o->n = n;
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            if (p[n - 1 - i] & (1u << b))
                o->bits[i * 8 + b] += d;
    o->rows += d;
}

static void ormask_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    ormask_add(c, argv[0], 1);
}

static void ormask_inverse(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    ormask_add(c, argv[0], -1);
}

static void ormask_value(sqlite3_context *c)
{
    struct ormask *o = sqlite3_aggregate_context(c, 0);
    if (!o || o->rows <= 0) {
        sqlite3_result_null(c);
        return;
    }
    uint8_t m[128] = {0};
    for (int i = 0; i < o->n; i++)
        for (int b = 0; b < 8; b++)
            if (o->bits[i * 8 + b] > 0)
                m[o->n - 1 - i] |= (uint8_t)(1u << b);
    sqlite3_result_blob(c, m, o->n, SQLITE_TRANSIENT);
}

/* ------------------------------------------------------------ argument check */

static int lsn_cmp(const void *a, int an, const void *b, int bn)
{
    int n = an < bn ? an : bn;
    int r = memcmp(a, b, (size_t)n);
    return r ? r : an - bn;
}

/* tl_cdc_check(dbid, capture_instance, from_lsn, to_lsn, option, net):
 * 1, or Msg 313 (state 3) as fn_cdc_check_parameters makes the generated
 * functions fail. */
static void fn_check(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = sess(c);
    int dbid = sqlite3_value_int(argv[0]);
    bool net = sqlite3_value_int(argv[5]) != 0;
    const char *msg = net ? "An insufficient number of arguments were supplied for the procedure or function cdc.fn_cdc_get_net_changes_ ... ."
                          : "An insufficient number of arguments were supplied for the procedure or function cdc.fn_cdc_get_all_changes_ ... .";
    bool ok = sqlite3_value_type(argv[2]) != SQLITE_NULL && sqlite3_value_type(argv[3]) != SQLITE_NULL &&
              filter_code(sqlite3_value_text(argv[4]), sqlite3_value_bytes(argv[4]), net) != 0;
    sqlite3_stmt *st = NULL;
    if (ok) {
        char sql[300];
        snprintf(sql, sizeof(sql),
                 "SELECT (SELECT start_lsn FROM \"d%d\".tl_cdc_tables WHERE capture_instance = ?),"
                 " (SELECT max(start_lsn) FROM \"d%d\".tl_cdc_lsn_time)",
                 dbid, dbid);
        ok = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
             sqlite3_bind_value(st, 1, argv[1]) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_column_type(st, 0) == SQLITE_BLOB && sqlite3_column_type(st, 1) == SQLITE_BLOB;
    }
    if (ok) {
        const void *from = sqlite3_value_blob(argv[2]), *to = sqlite3_value_blob(argv[3]);
        int fn = sqlite3_value_bytes(argv[2]), tn = sqlite3_value_bytes(argv[3]);
        ok = lsn_cmp(from, fn, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0)) >= 0 &&
             lsn_cmp(to, tn, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1)) <= 0 &&
             lsn_cmp(from, fn, to, tn) <= 0;
    }
    sqlite3_finalize(st);
    if (ok)
        sqlite3_result_int(c, 1);
    else
        fail(c, 313, 16, 3, msg);
}

int cdc_fn_register(struct engine_session *s)
{
    static const struct {
        const char *name;
        int nargs;
        bool det;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_cdc_filter", 2, true, fn_filter},
        {"tl_cdc_min_lsn", 2, false, fn_min_lsn},
        {"tl_cdc_lsn_add", 2, true, fn_lsn_add},
        {"tl_cdc_map_time", 3, false, fn_map_time},
        {"tl_cdc_bit", 2, true, fn_bit},
        {"tl_cdc_check", 6, false, fn_check},
        {"tl_cdc_readable", 2, false, fn_readable},
    };
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]) && rc == SQLITE_OK; i++)
        rc = sqlite3_create_function_v2(s->db, fns[i].name, fns[i].nargs,
                                        SQLITE_UTF8 | (fns[i].det ? SQLITE_DETERMINISTIC : 0), s, fns[i].fn,
                                        NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_window_function(s->db, "tl_cdc_ormask", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
                                            ormask_step, ormask_value, ormask_value, ormask_inverse, NULL);
    return rc;
}

/* ------------------------------------------------------------ codegen helpers */

static struct tl_type mk(enum tl_type_id id, int32_t len)
{
    return (struct tl_type){id, len, 0, 0};
}

/* Generate x on its own (not into the statement text); NULL on error. */
static char *arg_sql(struct gen *g, struct scope *sc, struct expr *x, struct tl_type *ty)
{
    size_t mark = g->sql.len;
    bool nl;
    if (codegen_expr(g, sc, x, ty, &nl))
        return NULL;
    char *r = arena_strndup(g->a, (char *)g->sql.data + mark, g->sql.len - mark);
    buf_truncate(&g->sql, mark);
    return r;
}

/* An argument as SQL of type `to` (implicit conversion, as passing it to
 * a parameter of that type would do). */
static char *arg_as(struct gen *g, struct scope *sc, struct expr *x, struct tl_type to)
{
    struct tl_type t;
    char *sql = arg_sql(g, sc, x, &t);
    if (!sql)
        return NULL;
    if (t.id == TL_T_UNKNOWN || (t.id == to.id && t.length == to.length))
        return sql;
    char tf[64], tt[64];
    type_name(&t, tf, sizeof(tf));
    type_name(&to, tt, sizeof(tt));
    return arena_printf(g->a, "tl_cv(%s,'%s',-1,0,'%s')", sql, tt, tf);
}

/* 313 / 8144 for a call with the wrong number of arguments. */
static int arg_count(struct gen *g, const char *fname, int have, int want)
{
    if (have < want)
        return codegen_err(g, 313, 16, "An insufficient number of arguments were supplied for the procedure or function %s.",
                           fname);
    if (have > want)
        return codegen_err(g, 8144, 16, "Procedure or function %s has too many arguments specified.", fname);
    return 0;
}

/* ------------------------------------------------------------ scalar functions */

/* cdc.captured_columns.column_ordinal of column col of instance ci (NULL
 * when the session may not read the instance). */
static void gen_ordinal(struct gen *g, int dbid, const char *ci, const char *col)
{
    buf_appendf(&g->sql,
                "(SELECT c.column_ordinal FROM \"d%d\".tl_cdc_columns c JOIN \"d%d\".tl_cdc_tables t"
                " ON t.object_id = c.object_id WHERE t.capture_instance = %s AND c.column_name = %s COLLATE NOCASE"
                " AND tl_cdc_readable(%d, t.capture_instance))",
                dbid, dbid, ci, col, dbid);
}

int cdc_gen_func(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nullable)
{
    const char *n = e->s + 4; /* after "SYS." */
    int dbid = g->s->dbid;
    char fname[160];
    snprintf(fname, sizeof(fname), "sys.%s", n);
    for (char *p = fname; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    *nullable = true;
    struct tl_type lsn = mk(TL_T_BINARY, CDC_LSN_LEN), sysname = mk(TL_T_NVARCHAR, 128);
    char *a0 = NULL, *a1 = NULL, *a2 = NULL;
    if (ieq(n, "FN_CDC_GET_MAX_LSN")) {
        if (arg_count(g, fname, e->nargs, 0))
            return -1;
        *ty = lsn;
        buf_appendf(&g->sql, "(SELECT max(start_lsn) FROM \"d%d\".tl_cdc_lsn_time)", dbid);
        return 0;
    }
    if (ieq(n, "FN_CDC_GET_MIN_LSN")) {
        if (arg_count(g, fname, e->nargs, 1) || !(a0 = arg_as(g, sc, e->args[0], sysname)))
            return -1;
        *ty = lsn;
        *nullable = false;
        buf_appendf(&g->sql, "tl_cdc_min_lsn(%d,%s)", dbid, a0);
        return 0;
    }
    if (ieq(n, "FN_CDC_INCREMENT_LSN") || ieq(n, "FN_CDC_DECREMENT_LSN")) {
        if (arg_count(g, fname, e->nargs, 1) || !(a0 = arg_as(g, sc, e->args[0], lsn)))
            return -1;
        *ty = lsn;
        buf_appendf(&g->sql, "tl_cdc_lsn_add(%s,%d)", a0, ieq(n, "FN_CDC_INCREMENT_LSN") ? 1 : -1);
        return 0;
    }
    if (ieq(n, "FN_CDC_MAP_TIME_TO_LSN")) {
        if (arg_count(g, fname, e->nargs, 2) || !(a0 = arg_as(g, sc, e->args[0], mk(TL_T_NVARCHAR, 30))) ||
            !(a1 = arg_as(g, sc, e->args[1], mk(TL_T_DATETIME, 0))))
            return -1;
        *ty = lsn;
        buf_appendf(&g->sql, "tl_cdc_map_time(%d,%s,%s)", dbid, a0, a1);
        return 0;
    }
    if (ieq(n, "FN_CDC_MAP_LSN_TO_TIME")) {
        if (arg_count(g, fname, e->nargs, 1) || !(a0 = arg_as(g, sc, e->args[0], lsn)))
            return -1;
        *ty = (struct tl_type){TL_T_DATETIME, 0, 0, 3};
        buf_appendf(&g->sql, "(SELECT tran_end_time FROM \"d%d\".tl_cdc_lsn_time WHERE start_lsn = %s)", dbid, a0);
        return 0;
    }
    if (ieq(n, "FN_CDC_GET_COLUMN_ORDINAL")) {
        if (arg_count(g, fname, e->nargs, 2) || !(a0 = arg_as(g, sc, e->args[0], sysname)) ||
            !(a1 = arg_as(g, sc, e->args[1], sysname)))
            return -1;
        *ty = mk(TL_T_INT, 0);
        gen_ordinal(g, dbid, a0, a1);
        return 0;
    }
    if (ieq(n, "FN_CDC_IS_BIT_SET")) {
        if (arg_count(g, fname, e->nargs, 2) || !(a0 = arg_as(g, sc, e->args[0], mk(TL_T_INT, 0))) ||
            !(a1 = arg_as(g, sc, e->args[1], mk(TL_T_VARBINARY, 128))))
            return -1;
        *ty = mk(TL_T_BIT, 0);
        buf_appendf(&g->sql, "tl_cdc_bit(%s,%s)", a0, a1);
        return 0;
    }
    if (ieq(n, "FN_CDC_HAS_COLUMN_CHANGED")) {
        if (arg_count(g, fname, e->nargs, 3) || !(a0 = arg_as(g, sc, e->args[0], sysname)) ||
            !(a1 = arg_as(g, sc, e->args[1], sysname)) || !(a2 = arg_as(g, sc, e->args[2], mk(TL_T_VARBINARY, 128))))
            return -1;
        *ty = mk(TL_T_BIT, 0);
        buf_append_str(&g->sql, "tl_cdc_bit(");
        gen_ordinal(g, dbid, a0, a1);
        buf_appendf(&g->sql, ",%s)", a2);
        return 0;
    }
    return codegen_err(g, 4121, 16,
                       "Cannot find either column \"sys\" or the user-defined function or aggregate \"%s\", or the name is ambiguous.",
                       fname);
}

/* ------------------------------------------------------------ query functions */

/* What the TVF reads: the instance's change table and key columns. */
struct tvf {
    bool net;
    int dbid;
    char *fname;           /* cdc.fn_cdc_get_..._<ci> as written */
    char *ci;
    struct table_meta *ct; /* the change table */
    int *keys;             /* change table column ids of the row identifier */
    int nkeys;
    char *from, *to, *opt; /* argument SQL */
    char *t;               /* "dN"."t<oid>" */
};

/* Find the instance and its change table; 208 when there is none (or,
 * for net changes, when it does not support them). */
static int tvf_resolve(struct gen *g, struct from_item *f, struct tvf *v)
{
    const struct name3 *n = &f->name;
    static const char all[] = "fn_cdc_get_all_changes_", net[] = "fn_cdc_get_net_changes_";
    v->net = !strncasecmp(n->name, net, sizeof(net) - 1);
    bool is_all = !strncasecmp(n->name, all, sizeof(all) - 1);
    v->fname = n->schema ? arena_printf(g->a, "%s.%s", n->schema, n->name) : n->name;
    const char *dbname;
    struct sqlerr ig = {0};
    if ((!is_all && !v->net) || !n->schema || !ieq(n->schema, "cdc") ||
        catalog_resolve_db(g->s, n->db, &v->dbid, &dbname, &ig))
        goto missing;
    v->ci = (char *)n->name + (sizeof(all) - 1); /* both prefixes have the same length */
    sqlite3_stmt *st = NULL;
    char *sql = sqlite3_mprintf("SELECT object_id, supports_net_changes, source_object_id, role_name"
                                " FROM \"d%d\".tl_cdc_tables WHERE capture_instance = %Q",
                                v->dbid, v->ci);
    int64_t oid = 0, source = 0;
    bool supports = false;
    char *role = NULL;
    if (sql && sqlite3_prepare_v2(g->s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        oid = sqlite3_column_int64(st, 0);
        supports = sqlite3_column_int(st, 1) != 0;
        source = sqlite3_column_int64(st, 2);
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            role = arena_strdup(g->a, (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    if (!oid || (v->net && !supports) || !(v->ct = catalog_table_by_id(g->s, g->a, v->dbid, oid)))
        goto missing;
    bool sel;
    if (!authorized(g->s, v->dbid, source, role, &sel)) {
        /* no SELECT on the source: 229 on the function; not in the gating
         * role: the generated function's own check fails (313) */
        if (!sel) {
            codegen_err(g, 229, 14, "The SELECT permission was denied on the object '%s', database '%s', schema 'cdc'.",
                        n->name, dbname);
            g->err.state = 5;
        } else {
            codegen_err(g, 313, 16, "%s", v->net ? "An insufficient number of arguments were supplied for the procedure or function cdc.fn_cdc_get_net_changes_ ... ."
                                                 : "An insufficient number of arguments were supplied for the procedure or function cdc.fn_cdc_get_all_changes_ ... .");
            g->err.state = 3;
        }
        return -1;
    }
    v->t = arena_printf(g->a, "\"d%d\".\"t%lld\"", v->dbid, (long long)oid);
    v->keys = arena_alloc(g->a, sizeof(int) * 16);
    sql = catalog_sqlf("SELECT c.column_ordinal FROM \"d%1$d\".tl_cdc_index_columns k JOIN \"d%1$d\".tl_cdc_columns c"
                          " ON c.object_id = k.object_id AND c.column_id = k.column_id WHERE k.object_id = %2$lld"
                          " ORDER BY k.index_ordinal",
                          v->dbid, (long long)oid);
    if (sql && sqlite3_prepare_v2(g->s->db, sql, -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW && v->nkeys < 16)
            v->keys[v->nkeys++] = 5 + sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return 0;
missing:
    return codegen_err(g, 208, 16, "Invalid object name '%s'.", v->fname);
}

/* The change table's captured columns: ids 6 .. ncols-1 (after the five
 * __$ columns, before __$command_id). */
static int first_captured(void) { return 5; }

/* The argument check, first branch of the function: no row, or 313. */
static void gen_check(struct gen *g, struct tvf *v, int ncols)
{
    buf_append_str(&g->sql, "SELECT ");
    for (int i = 1; i <= ncols; i++)
        buf_appendf(&g->sql, "%sNULL AS c%d", i > 1 ? ", " : "", i);
    buf_appendf(&g->sql, " WHERE tl_cdc_check(%d, '", v->dbid);
    for (const char *p = v->ci; *p; p++) {
        if (*p == '\'')
            buf_append_byte(&g->sql, '\'');
        buf_append_byte(&g->sql, (uint8_t)*p);
    }
    buf_appendf(&g->sql, "', %s, %s, %s, %d) = 0 UNION ALL ", v->from, v->to, v->opt, v->net);
}

static void gen_all(struct gen *g, struct tvf *v, int ncap)
{
    gen_check(g, v, 4 + ncap);
    buf_append_str(&g->sql, "SELECT * FROM (SELECT t.\"c1\" AS c1, t.\"c3\" AS c2, t.\"c4\" AS c3, t.\"c5\" AS c4");
    for (int i = 1; i <= ncap; i++)
        buf_appendf(&g->sql, ", t.\"c%d\" AS c%d", first_captured() + i, 4 + i);
    buf_appendf(&g->sql,
                " FROM %s AS t WHERE t.\"c1\" >= %s AND t.\"c1\" <= %s"
                " AND (t.\"c4\" <> 3 OR tl_cdc_filter(%s, 0) = 2)"
                " ORDER BY t.\"c1\", t.\"c3\", t.\"c4\")",
                v->t, v->from, v->to, v->opt);
}

/*
 * Net changes, the generated function's logic (spec B5): per row
 * identifier, the change with the largest __$seqval in the range gives the
 * values; with `first` the first of its ops 1/2/4 and `cnt` its number of
 * change rows, the operation is op when cnt = 1, else 2 when first = 2,
 * else (first 4: 1 if last = 1, else 4; first 1: 4 if last is 2 or 4,
 * else 1); an insert that ends deleted (first 2, last 1) has no row.
 * 'all with mask' ORs the masks of the range when the net op is 4;
 * 'all with merge' reports 1 for a delete, 5 for anything else.
 */
static void gen_net(struct gen *g, struct tvf *v, int ncap)
{
    gen_check(g, v, 3 + ncap);
    const char *opt = arena_printf(g->a, "tl_cdc_filter(%s, 1)", v->opt);
    buf_appendf(&g->sql,
                "SELECT q.c1 AS c1, CASE %s WHEN 3 THEN (CASE q.op WHEN 1 THEN 1 ELSE 5 END)"
                " ELSE (CASE WHEN q.cnt = 1 THEN q.op ELSE (CASE q.minop WHEN 2 THEN 2"
                " WHEN 4 THEN (CASE q.op WHEN 1 THEN 1 ELSE 4 END)"
                " ELSE (CASE q.op WHEN 2 THEN 4 WHEN 4 THEN 4 ELSE 1 END) END) END) END AS c2,"
                " CASE %s WHEN 2 THEN (CASE WHEN q.cnt = 1 THEN (CASE q.op WHEN 4 THEN q.mask1 END)"
                " ELSE (CASE WHEN q.minop = 2 OR q.op = 1 THEN NULL ELSE q.ormask END) END) END AS c3",
                opt, opt);
    for (int i = 1; i <= ncap; i++)
        buf_appendf(&g->sql, ", q.v%d AS c%d", i, 3 + i);
    /* one sort of the range's rows by row identifier, __$seqval and op
     * (an update's 3 before its 4): per identifier the number of change
     * rows, the OR of their masks, the first op (a 3 means the first change
     * was an update: 4), and the last row (the largest __$seqval's 4) */
    struct buf part;
    buf_init(&part, 0);
    for (int k = 0; k < v->nkeys; k++)
        buf_appendf(&part, "%st.\"c%d\"", k ? ", " : "", v->keys[k]);
    const char *pk = part.data ? (const char *)part.data : "NULL";
    buf_append_str(&g->sql,
                   " FROM (SELECT t.\"c1\" AS c1, t.\"c4\" AS op, t.\"c5\" AS mask1,"
                   " count(*) OVER whole AS cnt, tl_cdc_ormask(t.\"c5\") OVER whole AS ormask,"
                   " CASE first_value(t.\"c4\") OVER w WHEN 3 THEN 4 ELSE first_value(t.\"c4\") OVER w END AS minop,"
                   " row_number() OVER w AS rn");
    for (int i = 1; i <= ncap; i++)
        buf_appendf(&g->sql, ", t.\"c%d\" AS v%d", first_captured() + i, i);
    buf_appendf(&g->sql,
                " FROM %s AS t WHERE t.\"c1\" >= %s AND t.\"c1\" <= %s"
                " WINDOW w AS (PARTITION BY %s ORDER BY t.\"c3\", t.\"c4\"),"
                " whole AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) AS q"
                " WHERE q.rn = q.cnt AND q.op IN (1, 2, 4) AND NOT (q.op = 1 AND q.minop = 2)",
                v->t, v->from, v->to, pk);
    buf_free(&part);
}

int cdc_gen_tvf(struct gen *g, struct scope *sc, struct from_item *f)
{
    struct tvf v;
    memset(&v, 0, sizeof(v));
    if (tvf_resolve(g, f, &v) || arg_count(g, v.fname, f->nargs, 3))
        return -1;
    struct tl_type lsn = mk(TL_T_BINARY, CDC_LSN_LEN);
    /* arguments are evaluated in the enclosing scope (variables, literals) */
    if (!(v.from = arg_as(g, sc->parent, f->args[0], lsn)) || !(v.to = arg_as(g, sc->parent, f->args[1], lsn)) ||
        !(v.opt = arg_as(g, sc->parent, f->args[2], mk(TL_T_NVARCHAR, 30))))
        return -1;
    struct table_meta *ct = v.ct;
    int ncap = ct->ncols - 6;
    int nmeta = v.net ? 3 : 4;
    static const char *const all_meta[] = {"__$start_lsn", "__$seqval", "__$operation", "__$update_mask"};
    static const char *const net_meta[] = {"__$start_lsn", "__$operation", "__$update_mask"};
    struct table_meta *tm = arena_alloc(g->a, sizeof(*tm));
    struct col_meta *cols = arena_alloc(g->a, sizeof(*cols) * (size_t)(nmeta + ncap));
    if (!tm || !cols)
        return codegen_err(g, 701, 19, "There is insufficient system memory to run this query.");
    memset(tm, 0, sizeof(*tm));
    memset(cols, 0, sizeof(*cols) * (size_t)(nmeta + ncap));
    for (int i = 0; i < nmeta; i++) {
        const char *name = v.net ? net_meta[i] : all_meta[i];
        cols[i].name = (char *)name;
        cols[i].type = ieq(name, "__$operation")     ? mk(TL_T_INT, 0)
                       : ieq(name, "__$update_mask") ? mk(TL_T_VARBINARY, 128)
                                                     : lsn;
    }
    for (int i = 0; i < ncap; i++) {
        cols[nmeta + i].name = ct->cols[first_captured() + i].name;
        cols[nmeta + i].type = ct->cols[first_captured() + i].type;
    }
    for (int i = 0; i < nmeta + ncap; i++) {
        cols[i].id = i + 1;
        cols[i].nullable = true;
    }
    tm->dbid = v.dbid;
    tm->dbname = ct->dbname;
    tm->schema = "cdc";
    tm->name = (char *)f->name.name;
    tm->ncols = nmeta + ncap;
    tm->cols = cols;
    if (codegen_add_table(g, sc, tm, f->alias))
        return -1;
    struct src *s = &sc->srcs[sc->nsrcs - 1];
    s->tm = NULL; /* not a table: no UPDATE/DELETE target */
    buf_append_str(&g->sql, "(");
    if (v.net)
        gen_net(g, &v, ncap);
    else
        gen_all(g, &v, ncap);
    buf_appendf(&g->sql, ") AS \"%s\"", s->sqlalias);
    return g->failed ? -1 : 0;
}
