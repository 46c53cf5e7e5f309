/*
 * eng: internal declarations shared by the files of tdslite's T-SQL engine.
 *
 * Pipeline of one batch: lexer (text -> tokens) -> parser (tokens -> AST of
 * statements) -> exec (walks statements; control flow, variables,
 * transactions) -> codegen (an expression or query AST plus the catalog ->
 * SQLite SQL text with the SQL Server type of every output) -> SQLite.
 *
 * Storage: every database is one SQLite file "<data_dir>/<name>.db"; a
 * session's connection is an in-memory main database with the database
 * files ATTACHed under the alias "d<database_id>". User tables live as
 * "d5"."t<object_id>" with columns "c<column_id>"; the declared SQL Server
 * metadata lives in tl_* tables of the same file (catalog.c). All DML goes
 * through dml.c, which records the changes of journaled tables in the
 * change journal (journal.c) that Change Tracking and CDC read.
 *
 * Procedures (proc.c) run their stored body as a nested statement list with
 * their own variables; their text and parameters live in tl_procs /
 * tl_params beside the tables.
 *
 * Memory: AST and generated SQL live in the per-batch arena (s->ba), reset
 * when the batch ends; per-row conversions use s->ra, reset every row.
 */
#ifndef TL_ENGINE_ENG_H
#define TL_ENGINE_ENG_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "engine.h"
#include "value/value.h"

/* ------------------------------------------------------------------ lexer */

enum tok_kind {
    TK_EOF = 0,
    TK_IDENT,   /* plain identifier or keyword; text as written */
    TK_QIDENT,  /* [bracketed] or "quoted" identifier; text unescaped */
    TK_VAR,     /* @name or @@name; text includes the @ */
    TK_INT,     /* 123 */
    TK_DEC,     /* 1.5, .5, 1. */
    TK_FLOAT,   /* 1e5, 1.5E-3 */
    TK_STR,     /* 'abc'; text unescaped */
    TK_NSTR,    /* N'abc' */
    TK_BIN,     /* 0x0A0B; text = hex digits after 0x */
    TK_OP,      /* punctuation and operators; text holds it */
};

struct token {
    enum tok_kind kind;
    const char *text; /* NUL-terminated, in the batch arena */
    size_t len;
    int line;
    size_t pos; /* byte offset in the batch */
};

struct lexer_out {
    struct token *toks;
    int n;
};

/* Tokenize sql[0..len) into the arena. Returns 0, or -1 with an error
 * message (102 style) set in *errtok (the text near the error). */
int lexer_run(struct arena *a, const char *sql, size_t len, struct lexer_out *out,
              const char **errnear, int *errline);

/* ------------------------------------------------------------------- AST */

struct select;

struct name3 {
    char *db, *schema, *name; /* NULL when omitted */
};

enum ex_kind {
    EX_NULL,
    EX_INT,    /* s = digits */
    EX_DEC,    /* s = decimal text */
    EX_FLOAT,
    EX_STR,    /* s/slen */
    EX_NSTR,
    EX_BIN,    /* s = bytes, slen */
    EX_COL,    /* q[0..nq) qualifiers, s = column */
    EX_VAR,    /* s = "@x" */
    EX_GVAR,   /* s = "@@x" */
    EX_NEG,
    EX_BITNOT,
    EX_ARITH,  /* op: + - * / % & | ^ */
    EX_CMP,    /* op: = <> < > <= >= */
    EX_AND,
    EX_OR,
    EX_NOT,
    EX_ISNULL, /* a IS [NOT] NULL; neg */
    EX_LIKE,   /* a [NOT] LIKE b [ESCAPE c] */
    EX_INLIST, /* a [NOT] IN (args) */
    EX_INSUB,  /* a [NOT] IN (sub) */
    EX_EXISTS,
    EX_BETWEEN,/* a [NOT] BETWEEN b AND c */
    EX_CASE,   /* a = operand or NULL; whens; c = else */
    EX_CAST,   /* a, ty, style expr in b (CONVERT) */
    EX_FUNC,   /* s = upper-cased name, args; distinct; star (COUNT(*)) */
    EX_SUBQ,   /* scalar subquery */
    EX_DEFAULT,/* DEFAULT keyword in VALUES */
};

struct when {
    struct expr *when, *then;
};

struct expr {
    enum ex_kind kind;
    int op;    /* operator char or CMP code */
    int line;
    struct expr *a, *b, *c;
    struct expr **args;
    int nargs;
    char *s;
    size_t slen;
    char *q[3];
    int nq;
    struct tl_type ty;
    int style;
    bool neg, distinct, star;
    struct select *sub;
    struct when *whens;
    int nwhens;
};

enum { CMP_EQ = 1, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

enum from_kind { FR_TABLE, FR_SUB, FR_JOIN, FR_VALUES, FR_CHANGETABLE, FR_TVF };
enum join_kind { J_INNER, J_LEFT, J_RIGHT, J_FULL, J_CROSS };

struct from_item {
    enum from_kind kind;
    struct name3 name;
    char *alias;
    struct select *sub;
    enum join_kind jk;
    struct from_item *l, *r;
    struct expr *on;
    bool nolock;
    char **colnames; /* derived table column aliases: AS t(a, b) */
    int ncolnames;
    /* FR_CHANGETABLE (ct.c): CHANGETABLE(CHANGES name, ct_last) or
     * CHANGETABLE(VERSION name, (ct_cols), (ct_vals)); name as written */
    bool ct_version;
    struct expr *ct_last;   /* variable, integer literal, or EX_NULL */
    char **ct_cols;
    int nct_cols;
    struct expr **ct_vals;
    int nct_vals;
    char *ct_written;       /* the table name as written, for messages */
    struct expr **args; /* FR_TVF: a table-valued function name(args) */
    int nargs;
};

struct sel_item {
    struct expr *e;   /* NULL for * */
    char *alias;      /* AS name, or NULL */
    char *star_qual;  /* t.* qualifier */
    bool star;
    char *assign;     /* SELECT @v = e: "@v" */
    int line;
};

struct order_item {
    struct expr *e;
    bool desc;
};

enum set_op { SO_NONE, SO_UNION, SO_UNION_ALL, SO_EXCEPT, SO_INTERSECT };

struct select {
    bool distinct;
    struct expr *top;
    bool top_percent;
    struct sel_item *items;
    int nitems;
    struct from_item *from;
    struct expr *where;
    struct expr **group;
    int ngroup;
    struct expr *having;
    enum set_op setop;
    struct select *next; /* compound: this SETOP next */
    struct order_item *order;
    int norder;
    struct expr *offset, *fetch;
    struct name3 *into; /* SELECT ... INTO t (not supported) */
    int line;
};

/* Column definition in CREATE TABLE / ALTER TABLE / INSERT BULK / DECLARE. */
struct coldef {
    char *name;
    struct tl_type type;
    char *type_text;
    int nullable;          /* -1 unspecified, 0 NOT NULL, 1 NULL */
    struct expr *def;      /* DEFAULT expression */
    char *def_text;        /* its source text */
    char *def_name;        /* CONSTRAINT name for the default */
    bool identity;
    int64_t seed, incr;
    char *collation;
    bool pk, unique;       /* inline constraint */
    char *cons_name;
    bool pk_clustered;
    bool output;           /* parameter declarations */
    struct expr *param_default;
};

enum cons_kind { CK_PK, CK_UNIQUE, CK_DEFAULT, CK_CHECK, CK_FK };

struct tcons {
    enum cons_kind kind;
    char *name;
    char **cols;
    bool *desc;
    int ncols;
    bool clustered;
    struct expr *def;   /* CK_DEFAULT */
    char *def_text;
    char *for_col;
};

enum st_kind {
    ST_NOP,
    ST_SELECT,
    ST_INSERT,
    ST_UPDATE,
    ST_DELETE,
    ST_TRUNCATE,
    ST_CREATE_TABLE,
    ST_DROP_TABLE,
    ST_ALTER_TABLE,
    ST_CREATE_INDEX,
    ST_DROP_INDEX,
    ST_CREATE_SCHEMA,
    ST_DROP_SCHEMA,
    ST_CREATE_DB,
    ST_DROP_DB,
    ST_ALTER_DB,
    ST_USE,
    ST_DECLARE,
    ST_SET_VAR,
    ST_SET_OPT,
    ST_IF,
    ST_WHILE,
    ST_BLOCK,
    ST_PRINT,
    ST_RAISERROR,
    ST_THROW,
    ST_BEGIN_TRAN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVE,
    ST_EXEC,
    ST_INSERT_BULK,
    ST_CREATE_PROC, /* CREATE, ALTER, CREATE OR ALTER PROCEDURE (proc_mode) */
    ST_DROP_PROC,
    ST_BREAK,
    ST_CONTINUE,
    ST_RETURN,
    ST_SECURITY,    /* logins, users, roles, GRANT/DENY/REVOKE (security.c) */
    ST_UNSUPPORTED,
};

enum { PROC_CREATE = 1, PROC_ALTER, PROC_CREATE_OR_ALTER };

enum alter_kind { AT_ADD_COL, AT_DROP_COL, AT_ALTER_COL, AT_ADD_CONS, AT_DROP_CONS, AT_ENABLE_CT,
                  AT_DISABLE_CT };

struct stmt {
    enum st_kind kind;
    int line;
    struct name3 name;      /* target table / index table / db / schema */
    char *ident;            /* index name, savepoint name, option name, db name */
    bool if_exists;
    struct select *sel;     /* SELECT, INSERT...SELECT */
    /* INSERT */
    char **cols;
    int ncols;
    struct expr ***rows;    /* VALUES rows */
    int *rowlen;
    int nrows;
    bool default_values;
    struct sel_item *output; /* OUTPUT clause (not supported) */
    /* UPDATE: set lists; DELETE/UPDATE share from/where */
    char **set_cols;
    struct expr **set_vals;
    int nset;
    char *target_alias;     /* UPDATE a SET ... FROM t a */
    struct from_item *from;
    struct expr *where;
    struct expr *top;
    /* DDL */
    struct coldef *cdefs;
    int ncdefs;
    struct tcons *cons;
    int ncons;
    enum alter_kind akind;
    bool unique, clustered;
    bool *desc;             /* CREATE INDEX: per key column (cols) */
    char **incl;            /* CREATE INDEX ... INCLUDE (incl) */
    int nincl;
    /* variables, control flow */
    struct coldef *vars;    /* DECLARE list */
    int nvars;
    char *var;              /* SET @v */
    int setop;              /* SET @v += ... operator, 0 for = */
    struct expr *e;         /* SET value, IF/WHILE condition, PRINT, RETURN */
    struct stmt *body, *else_body; /* IF/WHILE */
    struct stmt **list;     /* BLOCK */
    int nlist;
    /* SET option: ident = name, optval = ON/OFF/value text */
    char *optval;
    struct name3 optobj;    /* SET IDENTITY_INSERT t ON */
    /* RAISERROR/THROW */
    struct expr **args;
    int nargs;
    /* EXEC */
    char *proc;
    char **pnames;
    struct expr **pvals;
    bool *pout;
    int nparams;
    char *retvar;           /* EXEC @rc = proc */
    char *sqltext;          /* ALTER TABLE: its source text (cdc.ddl_history) */
    struct name3 procname;  /* EXEC [db.][schema.]proc as written */
    /* CREATE/ALTER PROCEDURE name (in name): the parameter declarations'
     * text, the body's text (statements after AS) and the batch line it
     * starts on, the whole definition (CREATE ... to the end of the batch) */
    int proc_mode;          /* PROC_CREATE, PROC_ALTER, PROC_CREATE_OR_ALTER */
    char *proc_params;
    char *proc_body;
    int proc_body_line;
    char *proc_def;
    /* DROP PROCEDURE a, b: every name (name holds the first) */
    struct name3 *names;
    int nnames;
    /* ALTER DATABASE name|CURRENT SET opt [=] value, ...: ident = name (NULL
     * for CURRENT), dbopts[i] upper-cased option name, dbvals[i] its value
     * ("ON", "OFF", or the text after '=') */
    char **dbopts;
    char **dbvals;
    int ndbopts;
    /* ST_SECURITY: the parsed statement, owned by security.c (batch arena) */
    struct sec_stmt *sec;
    /* Change Tracking (ct.c). ALTER DATABASE SET CHANGE_TRACKING: the
     * option appears in dbopts; ct_state 1 "= ON", 0 "= OFF", -1 the
     * settings-only form; ct_retention (-1 unset) in ct_units (1 MINUTES,
     * 2 HOURS, 3 DAYS); ct_auto_cleanup -1 unset, 0, 1. ALTER TABLE
     * ENABLE CHANGE_TRACKING: ct_track_columns -1 unset, 0, 1. INSERT /
     * UPDATE / DELETE: ct_context, WITH CHANGE_TRACKING_CONTEXT (x). */
    int ct_state;
    int64_t ct_retention;
    int ct_units;
    int ct_auto_cleanup;
    int ct_track_columns;
    struct expr *ct_context;
    /* unsupported statement description */
    const char *what;
};

struct batch_ast {
    struct stmt **st;
    int n;
};

/* A parse error: number (102/156/...), text, line. */
struct perr {
    int number;
    int line;
    char text[512];
};

/* Parse a batch. Returns 0 or -1 with pe filled. */
int parser_batch(struct arena *a, const char *sql, size_t len, struct batch_ast *out,
                 struct perr *pe);
/* Parse a standalone expression (a DEFAULT text stored in the catalog). */
struct expr *parser_expr(struct arena *a, const char *sql, size_t len, struct perr *pe);
/* Parse "@a int, @b nvarchar(10) OUTPUT" into coldefs. */
int parser_params(struct arena *a, const char *sql, size_t len, struct coldef **out, int *n,
                  struct perr *pe);

/* --------------------------------------------------------------- catalog */

struct col_meta {
    int id;
    char *name;
    struct tl_type type;
    bool nullable;
    bool identity;
    int64_t seed, incr;
    char *def_text;   /* T-SQL default expression or NULL */
    char *def_name;
    char *collation;
};

struct idx_meta {
    int id;
    char *name;
    bool unique, pk, uq_cons;
    int ncols;
    int *cols; /* column ids */
    bool *desc;
    int64_t cons_object_id;
};

struct table_meta {
    int dbid;
    const char *dbname;
    int64_t object_id;
    int schema_id;
    char *schema;
    char *name;
    int ncols;
    struct col_meta *cols;
    int nidx;
    struct idx_meta *idx;
};

struct db_entry {
    int id;
    char *name;
    char *path;
    char create_date[32];
    int snapshot_state;  /* sys.databases.snapshot_isolation_state: 0 OFF, 1 ON */
    bool rcsi;           /* is_read_committed_snapshot_on */
};

struct engine {
    char *data_dir;
    bool temp_dir;
    char *sa_password;
    struct tl_faults faults;
    pthread_mutex_t mu; /* guards dbs */
    struct db_entry *dbs;
    int ndbs, capdbs;
    int next_dbid;
    atomic_long next_desc;
    struct applock_table *applocks; /* sp_getapplock's lock table (applock.c) */
    int *logged_in;  /* login ids of the open sessions of CREATE LOGIN logins (security.c), under mu */
    int nlogged_in, caplogged_in;
    atomic_llong clock_offset_ms; /* engine clock = real time + this (tdslite.advance_clock) */
    struct cdc_job *cdc_job; /* the background CDC capture job (cdc_capture.c), or NULL */
};

/* ---------------------------------------------------------------- session */

struct var {
    char *name; /* "@x", heap */
    struct tl_type type;
    enum tl_vkind kind;
    int64_t i;
    double r;
    uint8_t *p; /* heap */
    size_t n;
};

struct prepared {
    int handle;
    char *params; /* declaration text */
    char *stmt;
};

struct bulk_spec {
    int dbid;
    int64_t object_id;
    char *table; /* display name */
};

struct sqlerr {
    int number;
    int severity;
    int state;
    char text[1024];
    bool batch_abort;
    bool stmt_terminated; /* a data modification was rolled back: INFO 3621 follows */
};

struct engine_session {
    struct engine *eng;
    sqlite3 *db;
    uint16_t spid;
    char user[130];
    int dbid;
    char dbname[130];
    int attached[64];
    int nattached;
    /* SET options */
    bool nocount, xact_abort, fmtonly, ansi_nulls, quoted_identifier;
    bool arithabort; /* 8134/8115 abort the batch (tedious and pymssql set it ON) */
    int isolation; /* 1 RU, 2 RC, 3 RR, 4 SER, 5 SNAPSHOT */
    int textsize, lock_timeout, datefirst;
    char dateformat[4];
    int ident_insert_db;
    int64_t ident_insert_obj;
    /* change journal (journal.c): per SQLite transaction */
    int jdbs[64];           /* databases with unstamped journal rows */
    int njdbs;
    int jstmt;              /* ordinal of the last journaling statement */
    uint64_t stmt_serial;   /* bumped by txn_stmt_begin for every statement */
    uint64_t jstmt_serial;  /* stmt_serial of the statement that took jstmt */
    int jstmt_stmt;         /* jstmt when the running statement began */
    int sp_jstmt[32];       /* jstmt at each SAVE TRANSACTION */
    char jbegin[32];        /* begin_time: clock at the transaction's first journal row */
    /* WITH CHANGE_TRACKING_CONTEXT of the running statement (batch arena) */
    bool jctx_set;
    const uint8_t *jctx;
    size_t jctx_n;
    /* transactions */
    int trancount;
    uint64_t tran_desc;
    bool sq_txn;      /* a SQLite transaction is open */
    bool sq_write;    /* ... and it took a write lock */
    int locked[64];   /* databases whose write lock this SQLite transaction holds */
    int nlocked;
    char *savepoints[32]; /* SAVE TRANSACTION names, heap */
    int nsavepoints;
    /* per-session state */
    int64_t rowcount;
    int last_error;
    bool has_ident;
    int64_t last_ident, scope_ident;
    struct var *vars;
    int nvars, capvars;
    struct prepared *preps;
    int npreps, cappreps, next_handle;
    struct bulk_spec bulk;
    char login_db[130];
    /* security (security.c): the login's principal id (1 = sa), its SID,
     * and whether it is a sysadmin (sa) that passes every check */
    int login_id;
    uint8_t login_sid[16];
    int login_sid_len;
    bool sysadmin;
    bool login_counted; /* in eng->logged_in (DROP LOGIN answers 15434) */
    /* RPC output parameters, sent after retstatus by rpc_exec */
    struct pending_out {
        uint16_t ord;
        char name[130];
        struct tl_type type;
        struct tl_value v; /* p heap-owned */
    } outs[64];
    int nouts;
    bool bulk_ready;
    /* current request */
    const struct engine_out *out;
    void *ctx;
    int rows_since_poll;
    bool cancelled;
    bool closed;
    bool in_rpc;
    int line_base;
    struct sqlerr fnerr;   /* error raised inside a SQLite function */
    bool fnerr_set;
    /* procedure execution (proc.c) */
    int nestlevel;          /* @@NESTLEVEL: procedures running, outermost 1 */
    int32_t ret_status;     /* value of the last RETURN n */
    int64_t proc_id;        /* @@PROCID of the running procedure, 0 outside */
    char procname[130];     /* name put in messages raised inside it */
    struct proc_cache *pcache; /* parsed procedures of this batch (s->ba) */
    int npcache, cappcache;
    uint64_t batch_gen;     /* bumped when s->ba is reset; tags pcache */
    struct arena ba;       /* per-batch */
    struct arena ra;       /* per-row */
    int64_t ident_next[8]; /* identity state of the running statement */
    int loop_guard;
};

/* ------------------------------------------------------------ codegen */

struct colinfo {
    char *name;
    struct tl_type type;
    bool nullable;
    bool identity;
    int colid;  /* >0 for table columns */
    char *sql;  /* SQLite expression referencing it */
};

struct src {
    char *alias;  /* name used to qualify (alias or table name) */
    char *tname;  /* table name (for qualification by table name) */
    char *schema;
    char *db;
    char *sqlalias;
    struct colinfo *cols;
    int ncols;
    struct table_meta *tm;
    bool nullable_side; /* outer-joined */
};

struct scope {
    struct scope *parent;
    struct src *srcs;
    int nsrcs, capsrcs;
    struct sel_item *items; /* select list, for ORDER BY aliases */
    int nitems;
};

struct gen {
    struct engine_session *s;
    struct arena *a;
    struct buf sql;
    /* bound parameters: variables by name */
    char **params;
    int nparams, capparams;
    struct sqlerr err;
    bool failed;
    bool agg_ok;     /* aggregates allowed here */
};

/* Output column of a generated query. */
struct outcol {
    char *name;
    struct tl_type type;
    bool nullable;
    bool identity;
    bool updatable;
};

struct query {
    char *sql;
    struct outcol *cols;
    int ncols;
    char **params;
    int nparams;
};

/* Generate SQL for a SELECT; 0 or -1 with g->err. */
int codegen_select(struct gen *g, struct scope *parent, struct select *sel, struct query *q);
/* Generate SQL for one expression in scope (appends to g->sql); returns its type. */
int codegen_expr(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty,
                 bool *nullable);
/* Append "tl_cv(<expr>, 'type')" style conversion of an already generated expression. */
void codegen_gen_init(struct gen *g, struct engine_session *s);
void codegen_gen_free(struct gen *g);
int codegen_err(struct gen *g, int number, int severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Generate a FROM clause into g->sql, filling sc (UPDATE/DELETE ... FROM). */
int codegen_from_public(struct gen *g, struct scope *sc, struct from_item *f);
/* Add a table source to a scope (resolving metadata). */
int codegen_add_table(struct gen *g, struct scope *sc, struct table_meta *tm, const char *alias);
/* A new, empty source in sc (arena); NULL when out of memory. */
struct src *codegen_scope_add(struct gen *g, struct scope *sc);
/* A fresh SQL alias for a generated source. */
char *codegen_alias(struct gen *g);
/* Is the expression type textual / numeric ... helpers. */
bool type_is_string(enum tl_type_id id);
bool type_is_unicode(enum tl_type_id id);
bool type_is_int(enum tl_type_id id);
bool type_is_exact(enum tl_type_id id); /* decimal/numeric/money */
bool type_is_datetime(enum tl_type_id id);
bool type_is_binary(enum tl_type_id id);
int type_precedence(enum tl_type_id id);
void type_name(const struct tl_type *t, char *out, size_t cap);

/* ------------------------------------------------------------ catalog.c */

int catalog_init_file(sqlite3 *db, const char *alias, int dbid, struct sqlerr *e);
/* printf with positional arguments (%1$d) into sqlite3_malloc'd memory
 * (sqlite3_mprintf has none); no %q/%Q. NULL when out of memory. */
char *catalog_sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run the schema script `script` (CREATE ... IF NOT EXISTS) in the file
 * attached as alias, each "%1$s" in it standing for the alias. 0, or -1
 * with e set to 50000 "tdslite: cannot create <what> in <alias>: ...". */
int catalog_init_tables(sqlite3 *db, const char *alias, const char *script, const char *what,
                        struct sqlerr *e);
/* Find a database by name (case-insensitive); copies entry. 0 / -1. */
int catalog_find_db(struct engine *e, const char *name, struct db_entry *out);
int catalog_find_db_id(struct engine *e, int id, struct db_entry *out);
int catalog_attach(struct engine_session *s, int dbid, struct sqlerr *err);
/* Resolve a table name in the session's context; NULL with err 208 if missing. */
struct table_meta *catalog_table(struct engine_session *s, struct arena *a, const struct name3 *n,
                                 struct sqlerr *err);
struct table_meta *catalog_table_by_id(struct engine_session *s, struct arena *a, int dbid,
                                       int64_t object_id);
int catalog_schema_id(struct engine_session *s, int dbid, const char *schema);
int catalog_create_table(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_drop_table(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_alter_table(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_create_index(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_drop_index(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_create_schema(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_drop_schema(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_create_db(struct engine_session *s, const char *name, struct sqlerr *err);
int catalog_drop_db(struct engine_session *s, const char *name, bool if_exists, struct sqlerr *err);
/* ALTER DATABASE ... SET: ALLOW_SNAPSHOT_ISOLATION, READ_COMMITTED_SNAPSHOT
 * (persisted in master's tl_databases and the engine's list). 0 or -1. */
int catalog_alter_db(struct engine_session *s, struct stmt *st, struct sqlerr *err);
/* 3952 when a SNAPSHOT transaction reads database dbid and the database
 * does not allow snapshot isolation. 0 or -1 with err set. */
int catalog_snapshot_check(struct engine_session *s, int dbid, struct sqlerr *err);
int catalog_load_dbs(struct engine *e, struct sl_err *err);
/* OBJECT_ID-style lookup: "db.schema.name" text -> object id or 0. */
int64_t catalog_object_id(struct engine_session *s, const char *text, const char *type);
int catalog_set_identity(struct engine_session *s, struct table_meta *tm, int64_t last);
/* A stored procedure as kept in tl_procs (strings in the caller's arena). */
struct proc_def {
    int dbid;
    int64_t object_id;
    char *name, *schema;
    char *params;   /* declaration text ("@a int, @b int OUTPUT") or NULL */
    char *body;     /* statements after AS */
    int body_line;  /* line of the body's first token in the CREATE batch */
};
/* CREATE / ALTER / CREATE OR ALTER PROCEDURE and DROP PROCEDURE, inside the
 * statement transaction like the other DDL. 0 or -1 with err. */
int catalog_create_proc(struct engine_session *s, struct stmt *st, struct sqlerr *err);
int catalog_drop_proc(struct engine_session *s, struct stmt *st, struct sqlerr *err);
/* Find procedure [db.][schema.]name (schema defaults to dbo). 0 and *out
 * filled, 1 if there is none. */
int catalog_find_proc(struct engine_session *s, struct arena *a, const struct name3 *n,
                      struct proc_def *out);
/* @@DBTS of database dbid: the last rowversion value given out (a new
 * database starts at 2000 = 0x7D0, as SQL Server's). get returns it; set
 * stores a new last value (inside the caller's statement transaction). */
int64_t catalog_get_dbts(struct engine_session *s, int dbid);
int catalog_set_dbts(struct engine_session *s, int dbid, int64_t last, struct sqlerr *err);
/* A rowversion value: 8 bytes big-endian. */
void catalog_rowversion_bytes(int64_t v, uint8_t out[8]);
int64_t catalog_get_identity(struct engine_session *s, struct table_meta *tm, bool *has);
/* Catalog views: sys.* and INFORMATION_SCHEMA.*; returns 0 and fills src, 1 if
 * the name is not a catalog view, -1 on error. */
int catalog_view(struct gen *g, const struct name3 *n, struct src *out);
/* A catalog view's source from its column list ("name:type[:n];...") and
 * SQLite text ($D = the database's alias, $N = its name quoted). 0. */
int catalog_view_src(struct gen *g, int dbid, const char *dbname, const char *schema,
                     const char *name, const char *cols, const char *sql, struct src *out);
/* Database by name (NULL or "" = the session's), attached on first use.
 * 0, or -1 (err set when attaching failed; unset for an unknown name). */
int catalog_resolve_db(struct engine_session *s, const char *db, int *dbid, const char **dbname,
                       struct sqlerr *err);
char *catalog_display_name(struct arena *a, struct table_meta *tm); /* db.schema.name */
/* TYPE_NAME / TYPE_ID over the built-in types of sys.types: name (static)
 * or NULL; user_type_id or 0 when unknown ("sys." prefix accepted). */
const char *catalog_type_name(int user_type_id);
int catalog_type_id(const char *name);

/* ------------------------------------------------------------ exec.c */

/* What running a statement (list) tells its caller. */
enum { RUN_OK = 0, RUN_ABORT = 1, RUN_BREAK = 2, RUN_CONTINUE = 3, RUN_RETURN = 4 };

/* Run batch text; nested = inside a running batch (EXEC, sp_executesql):
 * the batch arena is not reset. Returns 0, SL_ECANCELLED or SL_ECLOSED. */
int exec_batch_text(struct engine_session *s, const char *sql, size_t len, bool nested);
/* Evaluate a scalar expression (no FROM) into the row arena. */
int exec_eval(struct engine_session *s, struct expr *x, struct tl_value *v, struct tl_type *t,
              struct sqlerr *e);
/* Report an error as a statement failure; returns nonzero when the batch must stop. */
int exec_report(struct engine_session *s, int line, struct sqlerr *e);
int exec_stmt_list(struct engine_session *s, struct stmt **list, int n);
/* Report an error message (+ nothing else). Returns the callback status. */
int exec_msg(struct engine_session *s, int number, int severity, int state, int line,
             const char *text, bool is_error);
int exec_done(struct engine_session *s, unsigned flags, uint16_t cmd, uint64_t count);
bool exec_poll_cancel(struct engine_session *s);
/* Has s's client gone away? Safe from another session's thread while s's
 * thread is blocked in the engine (out->peer_gone). */
bool exec_peer_gone(struct engine_session *s);
/* Map a SQLite error to a SQL Server error in e. */
void exec_sqlite_err(struct engine_session *s, int rc, struct sqlerr *e);
void sqlerr_set(struct sqlerr *e, int number, int severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Run a statement with no result (DDL helpers). */
int exec_sql(struct engine_session *s, const char *sql, struct sqlerr *e);
/* First column of the first row of sql as an integer; def (and *found
 * false, if found is given) without a row, with NULL or on any SQLite error. */
int64_t exec_query_int(struct engine_session *s, const char *sql, int64_t def, bool *found);
struct var *exec_var(struct engine_session *s, const char *name);
/* A new, empty variable scope (procedure, sp_executesql, EXEC('...'));
 * pop frees it and restores the saved one. */
struct saved_vars {
    struct var *vars;
    int n, cap;
};
void exec_vars_push(struct engine_session *s, struct saved_vars *sv);
void exec_vars_pop(struct engine_session *s, struct saved_vars *sv);
int exec_var_set(struct engine_session *s, struct var *v, const struct tl_value *val,
                 const struct tl_type *from, struct sqlerr *e);
struct var *exec_var_declare(struct engine_session *s, const char *name,
                             const struct tl_type *t);
void exec_vars_clear(struct engine_session *s);
int exec_bind_params(struct engine_session *s, sqlite3_stmt *st, char **params, int n,
                     struct sqlerr *e);
/* Column value -> tl_value in canonical form for type t (row arena). */
int exec_column_value(struct engine_session *s, sqlite3_stmt *st, int i, const struct tl_type *t,
                      struct tl_value *v, struct sqlerr *e);

/* ------------------------------------------------------------ txn.c */

/* Called before a statement runs: make the SQLite transaction state match
 * the session's (write=true takes the write lock). */
int txn_prepare(struct engine_session *s, bool write, struct sqlerr *e);
/* Called after a statement ran outside a user transaction. */
int txn_finish(struct engine_session *s, bool ok, struct sqlerr *e);
int txn_begin(struct engine_session *s, struct sqlerr *e);
int txn_commit(struct engine_session *s, struct sqlerr *e);
int txn_rollback(struct engine_session *s, const char *savepoint, struct sqlerr *e);
int txn_save(struct engine_session *s, const char *name, struct sqlerr *e);
/* Abort the whole transaction (XACT_ABORT, session close). */
void txn_abort_all(struct engine_session *s);
/* Tell the client a transaction began, committed or rolled back
 * (ENVCHANGE 8/9/10 with its descriptor); a failed write marks the session
 * closed. */
void txn_announce(struct engine_session *s, enum engine_env_type type, uint64_t descriptor);
/* Statement savepoints. */
int txn_stmt_begin(struct engine_session *s, struct sqlerr *e);
/* Take the write lock of database dbid (waits up to the busy timeout). */
int txn_lock(struct engine_session *s, int dbid, struct sqlerr *e);
void txn_stmt_end(struct engine_session *s, bool ok);
/* The end of a write statement that ran in its own statement savepoint
 * with result r (0 ran, else failed with *e set): txn_stmt_end, then commit
 * (r == 0) or roll back (r != 0) the autocommit transaction outside a user
 * transaction. Returns r, or -1 with *e the commit's error. */
int txn_stmt_finish(struct engine_session *s, int r, struct sqlerr *e);

/* ------------------------------------------------------------ dml.c */

int dml_insert(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count);
int dml_update(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count);
int dml_delete(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count);
int dml_truncate(struct engine_session *s, struct stmt *st, struct sqlerr *e);
/* Insert rows given as values of all table columns (bulk, generator). */
struct dml_writer;
int dml_writer_open(struct engine_session *s, struct table_meta *tm, const int *colmap, int n,
                    bool keep_identity, struct dml_writer **w, struct sqlerr *e);
int dml_writer_row(struct dml_writer *w, const struct tl_value *vals, const struct tl_type *types,
                   struct sqlerr *e);
/* Persist the identity counter after the last row; 0 or -1. */
int dml_writer_finish_public(struct dml_writer *w);
void dml_writer_close(struct dml_writer *w);

/* ------------------------------------------------------------ journal.c */

/*
 * The change journal shared by Change Tracking and CDC (this comment is
 * its contract; changes to it are additive only). Every database file has
 *   tl_journaled(object_id PK, ct, cdc)   which user tables are journaled
 *   tl_journal(seq PK, commit_id, object_id, op, stmt, cols, context,
 *              before, after)             one row per row change
 *   tl_commits(commit_id PK, ct_version, begin_time, end_time, tran_id)
 * op: JOURNAL_DELETE 1, JOURNAL_INSERT 2, JOURNAL_UPDATE 3 (a primary-key
 * UPDATE too, with both images). cols (updates): the column_ids the
 * statement SET, u32le each in SET order, followed by the table's
 * rowversion column when it has one (every UPDATE sets it implicitly).
 * Images: journal_image_encode's format, all columns in column_id order.
 * Rows are written in the change's own SQLite transaction and stamped
 * (commit_id, tl_commits row, CT counter tl_meta 'ct_version') by
 * journal_commit right before the outermost COMMIT. tl_commits: commit_id
 * 1, 2, 3 ... in commit order; ct_version NULL unless a stamped row belongs
 * to a ct = 1 table; begin/end_time on the engine clock, server-local
 * 'YYYY-MM-DD hh:mm:ss.fff'; tran_id 10 bytes, unique, never all zeros.
 * The last commit_id given out is also kept in tl_meta 'last_commit_id':
 * cleanup may delete the newest tl_commits rows, and a commit_id is never
 * reused, so "the newest commit" is the larger of the two.
 * Deleting: CT cleanup deletes rows of cdc = 0 objects by its retention
 * rule and rows of cdc = 1 objects only when also commit_id <=
 * tl_cdc_state.captured_commit; CDC capture deletes the rows it captured
 * of ct = 0 objects.
 */
enum { JOURNAL_DELETE = 1, JOURNAL_INSERT = 2, JOURNAL_UPDATE = 3 };
enum { JOURNAL_CT = 1, JOURNAL_CDC = 2 };

/* Create the journal tables in the file attached as alias ("main",
 * "\"d5\""), if missing. 0 or -1 with e. */
int journal_init_file(sqlite3 *db, const char *alias, struct sqlerr *e);
/* JOURNAL_CT | JOURNAL_CDC of a table, 0 when it is not journaled. */
int journal_flags(struct engine_session *s, int dbid, int64_t object_id);

/* A recorder for one statement's changes to one table. journal_open sets
 * *out to NULL (and returns 0) when the table is not journaled; the caller
 * owns the recorder and closes it with journal_close (NULL accepted). */
struct journal_rec;
int journal_open(struct engine_session *s, const struct table_meta *tm, struct journal_rec **out,
                 struct sqlerr *e);
/* Record one row change: images are encoded buffers (before: delete and
 * update, after: insert and update); cols/ncols the SET column_ids of an
 * update. 0 or -1 with e. */
int journal_row(struct journal_rec *j, int op, const int *cols, int ncols, const struct buf *before,
                const struct buf *after, struct sqlerr *e);
void journal_close(struct journal_rec *j);

/* Encode result columns first .. first+tm->ncols-1 of st (the table's
 * columns in tm->cols order, which is column_id order) as a row image
 * into b (reset first): per column u32le column_id, u8 kind (0 NULL,
 * 1 INTEGER, 2 REAL, 3 TEXT, 4 BLOB), then 8-byte int64 LE / IEEE double
 * LE, or u32le length + bytes. */
void journal_image_encode(struct buf *b, sqlite3_stmt *st, int first, const struct table_meta *tm);
struct jcol {
    int column_id;
    int kind;
    int64_t i;
    double d;
    const uint8_t *p; /* borrowed from the image */
    size_t n;
};
/* Decode image p[0..n) into an arena array; 0, or -1 on a malformed image. */
int journal_image_decode(struct arena *a, const uint8_t *p, size_t n, struct jcol **cols, int *ncols);

/* Stamp this transaction's journal rows in every database it wrote them
 * in (called by txn.c right before SQLite's COMMIT). 0 or -1 with e (the
 * caller rolls back). */
int journal_commit(struct engine_session *s, struct sqlerr *e);
/* Forget the transaction's journal state (after COMMIT or ROLLBACK). */
void journal_txn_end(struct engine_session *s);
/* The CT counter of database dbid: the version of its last CT commit (0). */
int64_t journal_ct_counter(struct engine_session *s, int dbid);

/* The engine clock: real time plus the offset tdslite.advance_clock
 * moved it by. Commit times, retention, GETDATE() follow it. */
void journal_clock_now(struct engine *eng, struct timespec *ts);
/* The clock as server-local 'YYYY-MM-DD hh:mm:ss.fff'. */
void journal_clock_text(struct engine *eng, char *out, size_t cap);
/* Move the clock forward by minutes (0 .. 100 years). 0 or -1 with e. */
int journal_clock_advance(struct engine *eng, int64_t minutes, struct sqlerr *e);

/* ------------------------------------------------------------ ct.c */

/* Change Tracking (see ct.c's file comment for its state and rules). */
/* Create tl_ct_databases / tl_ct_tables in a file (from journal_init_file). */
int ct_init_file(sqlite3 *db, const char *alias, struct sqlerr *e);
/* ALTER DATABASE dbid SET CHANGE_TRACKING ... (5088, 5089, 5090, 22114,
 * 22115, each followed by 5069 as SQL Server does). 0 or -1 with e. */
int ct_alter_db(struct engine_session *s, struct stmt *st, int dbid, const char *dbname, struct sqlerr *e);
/* ALTER TABLE ... ENABLE / DISABLE CHANGE_TRACKING, in the statement's
 * transaction (1718, 4996, 4997, 4998, 4999). 0 or -1 with e. */
int ct_alter_table(struct engine_session *s, struct stmt *st, struct table_meta *tm, struct sqlerr *e);
bool ct_table_tracked(struct engine_session *s, int dbid, int64_t object_id);
/* DROP TABLE / TRUNCATE TABLE of a possibly tracked table. 0 or -1. */
int ct_drop_table(struct engine_session *s, struct table_meta *tm, struct sqlerr *e);
int ct_truncate(struct engine_session *s, struct table_meta *tm, struct sqlerr *e);
/* Dropping primary key constraint cons of tm: 3735 (sent) + 3727 (in e)
 * when tm is tracked, else 0. */
int ct_drop_pk_check(struct engine_session *s, struct stmt *st, struct table_meta *tm, const char *cons,
                     struct sqlerr *e);
/* DROP DATABASE dbid: forget its settings. */
void ct_drop_db(struct engine_session *s, int dbid);
/* FROM CHANGETABLE(...) AS alias: emits the source into g->sql and adds
 * it to sc. 0 or -1 with g->err. */
int ct_gen_from(struct gen *g, struct scope *sc, struct from_item *f);
/* CHANGE_TRACKING_* functions and DATABASEPROPERTYEX: 0 (generated), -1
 * (g->err), 1 when e is none of them. */
int ct_gen_func(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl);
/* The compile-time CHANGETABLE checks of a batch (22105, 22107): -1 with
 * e and *line when the batch must not run. */
int ct_check_batch(struct engine_session *s, struct stmt **list, int n, int *line, struct sqlerr *e);
/* WITH CHANGE_TRACKING_CONTEXT of statement st: set the session's
 * context for the journal (22109); end clears it. */
int ct_context_begin(struct engine_session *s, struct stmt *st, struct sqlerr *e);
void ct_context_end(struct engine_session *s);
/* Automatic cleanup of database dbid when due (outside transactions). */
void ct_auto_cleanup(struct engine_session *s, int dbid);
/* sys.sp_flush_CT_internal_table_on_demand [@TableToClean]: cleanup of
 * the current database now, inside the caller's write transaction. */
int ct_flush(struct engine_session *s, const char *table, struct sqlerr *e);
/* Register tl_ct_changes and the CT SQLite functions on the session. */
int ct_register(struct engine_session *s);

/* ------------------------------------------------------------ proc.c */

/* One actual parameter of a procedure call, evaluated by the caller. */
struct proc_arg {
    const char *name;      /* "@a" for a named argument, NULL or "" positional */
    struct tl_value value; /* in the batch arena */
    struct tl_type type;   /* TL_T_UNKNOWN: from the value's storage class */
    bool is_default;       /* the DEFAULT keyword / RPC fDefaultValue */
    bool output;           /* OUTPUT requested */
    /* filled by proc_call for output arguments: the formal parameter */
    const char *param_name;
    struct tl_type param_type;
};

/*
 * Run user procedure n with args: binds them to the parameters (201, 8144,
 * 8145, 119, 8162 ...), runs the body in its own variable scope, database
 * context and SET options, and copies OUTPUT parameters back into
 * args[i].value (batch arena). *found is false (and nothing happens) when
 * no such procedure exists. Returns 0 when the body ran to its end or a
 * RETURN (*status = the returned value), 1 when an error inside aborted
 * the batch (already reported; *status -6), -1 with err for a call error
 * the caller reports.
 */
int proc_call(struct engine_session *s, const struct name3 *n, struct proc_arg *args, int nargs,
              bool *found, int32_t *status, struct sqlerr *err);
/* "db.schema.name" / "[dbo].[p]" text into n (parts in arena a). */
void proc_parse_name(struct arena *a, const char *text, struct name3 *n);

/* ------------------------------------------------------------ fn.c */

/* Register the engine's own SQLite functions and collations on a session
 * connection (user data = the session). */
int fn_register(struct engine_session *s);

/* ------------------------------------------------------------ rpc.c / sysprocs.c / bulk.c */

int rpc_exec(struct engine_session *s, const char *proc, const struct engine_param *params,
             size_t nparams);
/* EXEC of a system procedure from a batch or an RPC; *handled false if the
 * name is not one. */
int sysprocs_exec(struct engine_session *s, struct stmt *st, const char *proc,
                  const struct engine_param *params, size_t nparams, bool *handled,
                  struct sqlerr *e, int32_t *retstatus);
int bulk_prepare(struct engine_session *s, struct stmt *st, struct sqlerr *e);
/* EXEC of sp_executesql & co. inside a batch; *known false if not one. */
int rpc_from_batch(struct engine_session *s, struct stmt *st, const char *proc, bool *known,
                   struct sqlerr *e, int32_t *status);

/* ------------------------------------------------------------ security.c */

/*
 * Logins (master's tl_logins), database users and roles (tl_principals,
 * tl_role_members) and permissions (tl_perms) of every database file, and
 * the checks made with them. sa is the sysadmin: it maps to dbo in every
 * database and passes every check without a lookup.
 */

/* Create the security tables of a database file (idempotent; master also
 * gets tl_logins). alias is "main" or "\"d5\"". Errors are ignored: a
 * missing table makes every check fail closed. */
void sec_init_file(sqlite3 *db, const char *alias, int dbid);
/* Authenticate user/password for session s (master attached as d1): sa
 * against the configured password, any other name against tl_logins. 0,
 * or -1 when the login fails (the caller answers 18456). */
int sec_login(struct engine_session *s, const char *user, const char *password);
/* Count the session among its login's open sessions (after a successful
 * login) / remove it (at close); DROP LOGIN refuses a login in use. */
void sec_session_begin(struct engine_session *s);
void sec_session_end(struct engine_session *s);
/* May the session's login use database dbid (a mapped user, or guest with
 * CONNECT)? 0, or -1 with e = 916 "The server principal ... is not able to
 * access the database ...". */
int sec_db_access(struct engine_session *s, int dbid, struct sqlerr *e);
/*
 * Does the session hold `permission` ("SELECT", "INSERT", "UPDATE",
 * "DELETE", "EXECUTE", "VIEW CHANGE TRACKING", ...) on object object_id of
 * database dbid (0 = the database itself)? Counts grants to the user, to
 * public and to the roles it is a member of, on the object, its schema or
 * the database (CONTROL implies every permission); any matching DENY wins.
 * sa, dbo and db_owner members always pass; db_datareader / db_datawriter
 * (and their deny twins) act as SQL Server's fixed roles. False when the
 * login has no access to the database.
 */
bool sec_has_perm(struct engine_session *s, int dbid, int64_t object_id, const char *permission);
/* The statement-time check of a table or procedure: 0, or -1 with e = 229
 * "The SELECT permission was denied on the object 't', database 'd',
 * schema 'dbo'." (916 when the login cannot use that database). Checks are
 * skipped inside a procedure (ownership chaining: every object belongs to
 * dbo in tdslite). */
int sec_check_object(struct engine_session *s, int dbid, int64_t object_id, const char *dbname,
                     const char *schema, const char *name, const char *permission,
                     struct sqlerr *e);
/* DDL of kind k by a user that is not sysadmin, dbo, db_owner or
 * db_ddladmin: 0 when allowed, or -1 with SQL Server's refusal (262, 3701,
 * 1088 ...). */
int sec_check_ddl(struct engine_session *s, struct stmt *st, struct sqlerr *e);
/* INSERT / UPDATE / DELETE (and SELECT when the statement reads the
 * target's columns) on a DML target, TRUNCATE's ALTER: 0 or -1 with e. */
int sec_check_dml(struct engine_session *s, struct stmt *st, struct sqlerr *e);
/* Name of the session's user in database dbid ("dbo" for sa, "guest" ...)
 * into out; "" when it has none. */
void sec_user_name(struct engine_session *s, int dbid, char *out, size_t cap);
/* Is tokens[i] the start of a security statement (CREATE LOGIN, GRANT ...)? */
bool sec_is_stmt(const struct token *t, int n, int i);
/* Parse the security statement starting at *pos into st->sec; *pos ends
 * after it. 0, or -1 with *pos at the offending token (the parser answers
 * 102/156 there). */
int sec_parse(struct arena *a, const struct token *t, int n, int *pos, struct stmt *st);
/* Run a parsed security statement inside the statement transaction. */
int sec_exec(struct engine_session *s, struct stmt *st, struct sqlerr *e);
/* Register HAS_PERMS_BY_NAME, IS_SRVROLEMEMBER ... helpers (tl_has_perms,
 * ...) on the session connection. */
int sec_register(struct engine_session *s);
/* The database principal an application lock names (@DbPrincipal): its id
 * in database dbid when it exists and the session's user may use it (is
 * it, is a member of it, or is dbo / a db_owner member; public is open to
 * all), else -1 (the caller answers 1202). */
int sec_applock_principal(struct engine_session *s, int dbid, const char *name);
/* Split "[a].[b]]c].d" into up to 3 unescaped parts (each < 260 bytes);
 * returns the number of parts (0 for an empty text). */
int sec_split_name(const char *text, char parts[3][260]);

/* ------------------------------------------------------------ applock.c */

/*
 * Application locks (sp_getapplock / sp_releaseapplock, APPLOCK_MODE,
 * APPLOCK_TEST): one lock table per engine, shared by all sessions.
 */
struct applock_table;
struct applock_table *applock_table_new(void);
void applock_table_destroy(struct applock_table *t);
/* EXEC or RPC of sp_getapplock / sp_releaseapplock (proc is the bare name);
 * arguments come from st (EXEC in a batch) or params (RPC). Returns 0 with
 * *retstatus (0, 1, -1, -3, -999), SL_ECANCELLED when an attention ended
 * the wait, or -1 with e (1223, 1224, 1227, 1202, 201 ...). */
int applock_proc(struct engine_session *s, struct stmt *st, const char *proc,
                 const struct engine_param *params, size_t nparams, struct sqlerr *e,
                 int32_t *retstatus);
/* Release every lock the session holds as Session owner (session true:
 * logout, RESETCONNECTION) or as Transaction owner (its transaction
 * ended), waking the sessions that wait for them. */
void applock_release_owner(struct engine_session *s, bool session);
/* Register APPLOCK_MODE / APPLOCK_TEST (tl_applock_mode, tl_applock_test). */
int applock_register(struct engine_session *s);

/* ------------------------------------------------------------ cdc*.c */

/*
 * Change Data Capture (spec ct-cdc.md Part B). cdc.c owns the metadata
 * (sys.sp_cdc_enable_db/_table and their disable, the private tl_cdc_*
 * tables of every database file, the cdc.* catalog views over them, the
 * change tables cdc.<ci>_CT as real tables) and the DDL rules; cdc_fn.c the
 * query side (cdc.fn_cdc_get_all/net_changes_<ci>, sys.fn_cdc_*);
 * cdc_capture.c the capture job that turns committed change-journal rows
 * (journal.c) into change-table rows, and retention cleanup.
 */

/* Create the tl_cdc_* tables in the file attached as alias, if missing. */
int cdc_init_file(sqlite3 *db, const char *alias, struct sqlerr *e);
/* cdc.change_tables, cdc.captured_columns, cdc.index_columns,
 * cdc.lsn_time_mapping, cdc.ddl_history of a CDC-enabled database: as
 * catalog_view (0 filled, 1 not one of them, -1 error in g). */
int cdc_view(struct gen *g, const struct name3 *n, struct src *out);
/* Is database dbid enabled for CDC (sys.sp_cdc_enable_db ran)? */
bool cdc_db_enabled(struct engine_session *s, int dbid);
/* 4711 when tm has a capture instance (TRUNCATE TABLE is refused). */
int cdc_truncate_check(struct engine_session *s, const struct table_meta *tm, struct sqlerr *e);
/* DROP TABLE of tm: drop its capture instances first. 0 or -1. */
int cdc_table_dropped(struct engine_session *s, const struct table_meta *tm, struct sqlerr *e);
/* After ALTER TABLE st changed tm (metadata before the change): dropped
 * captured columns read NULL from then on, a type change is applied to the
 * change table, cdc.ddl_history gets a row. 0 or -1. */
int cdc_table_altered(struct engine_session *s, const struct table_meta *before,
                      const struct stmt *st, struct sqlerr *e);
/* EXEC of sys.sp_cdc_* and tdslite.cdc_capture (batch EXEC st, or RPC
 * params). *known false when proc (prefixes stripped) is none of them. */
int cdc_exec_proc(struct engine_session *s, struct stmt *st, const char *proc,
                  const struct engine_param *params, size_t nparams, bool *known,
                  struct sqlerr *e, int32_t *retstatus);
/* FROM cdc.fn_cdc_get_all_changes_<ci>(...) / _net_changes_: the source
 * in scope and its SQL into g->sql. 0 or -1 with g->err. */
int cdc_gen_tvf(struct gen *g, struct scope *sc, struct from_item *f);
/* A sys.fn_cdc_* scalar function call. 0 or -1 with g->err. */
int cdc_gen_func(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty,
                 bool *nullable);
/* Register CDC's SQLite functions on a session connection. SQLITE_OK. */
int cdc_fn_register(struct engine_session *s);

/* LSNs: 10 bytes, compared as unsigned big-endian numbers. A captured
 * commit c has LSN (0x22 << 32 + c) << 16; the k-th filler or marker entry
 * after it (capture cycles with nothing to capture, new instances) adds k. */
enum { CDC_LSN_LEN = 10 };
void cdc_lsn_make(int64_t commit, int slot, uint8_t out[CDC_LSN_LEN]);
/* __$seqval of the n-th change (from 1) of commit c: BE48(c) BE32(n). */
void cdc_seqval_make(int64_t commit, uint32_t n, uint8_t out[CDC_LSN_LEN]);

/* One capture cycle of database dbid on session s (outside a user
 * transaction, in a transaction of its own): give new capture instances
 * their start_lsn, capture every committed journal row of CDC-enabled
 * tables, write an idle filler entry (tran_id 0x00) when the cycle wrote
 * no cdc.lsn_time_mapping row and `filler` asks for one, then run
 * retention cleanup. 0 or -1 with e. */
enum { CDC_FILLER_NEVER, CDC_FILLER_ALWAYS, CDC_FILLER_IDLE /* when the last entry is a minute old */ };
int cdc_capture_db(struct engine_session *s, int dbid, int filler, struct sqlerr *e);
/* sys.sp_cdc_cleanup_change_table: raise capture instance ci's low water
 * mark to low (NULL: keep it; 22964 unless it is a start_lsn of
 * cdc.lsn_time_mapping, 22957 outside the timeline; entries sharing its
 * tran_end_time lower it to their smallest), delete its change rows below
 * the mark. Runs as one statement of s. 0 or -1 with e. */
int cdc_cleanup_instance(struct engine_session *s, const char *ci, const uint8_t *low,
                         struct sqlerr *e);
/* Start / stop the background capture job (delay_ms between cycles; 0 =
 * no job, capture only by EXEC tdslite.cdc_capture). */
int cdc_job_start(struct engine *eng, unsigned delay_ms, struct sl_err *err);
void cdc_job_stop(struct engine *eng);

/* A session of the engine itself (no login, no client): the CDC capture
 * job's. out receives its events. 0 or an SL_E* code. */
int engine_session_open_internal(struct engine *e, const struct engine_out *out, void *ctx,
                                 struct engine_session **sessp);

/* small helpers (exec.c) */
bool ieq(const char *a, const char *b);
char *upper_dup(struct arena *a, const char *s);

#endif
