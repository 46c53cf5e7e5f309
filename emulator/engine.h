/*
 * engine: tdslite's T-SQL engine, the contract between the TDS layer
 * (emulator/tds/) and the SQL side (emulator/engine/).
 *
 * The TDS layer is a pure translator: it decodes requests into calls below
 * and turns the callbacks of struct engine_out into tokens. The engine knows
 * nothing about packets or tokens; the TDS layer knows nothing about SQL.
 *
 * Threads: one engine per process, shared by all sessions; one session per
 * connection, used by one thread at a time. Every engine_* function is safe
 * to call concurrently for different sessions.
 *
 * Session lifecycle:
 *
 *     engine_login ──▶ [idle] ──engine_batch / engine_rpc / engine_bulk_*──▶ [idle]
 *                        │  └──engine_session_reset (RESETCONNECTION)──▶ [idle]
 *                        └──engine_session_close──▶ (gone: open transaction rolled
 *                                                     back, session applocks released)
 *
 * Response events. For one request the engine calls, in order, any of:
 *   columns → row* → done            a result set (SELECT)
 *   done                             a statement's end (DML count, or none)
 *   message                          ERROR (is_error) or INFO token, always
 *                                    before the done of its statement
 *   envchange                        database / transaction changes, before
 *                                    the done of the statement causing them
 *   retstatus, retvalue              after the last statement of an RPC
 * and returns. The engine never emits the final DONE: the TDS layer writes
 * DONE (batch) or DONEINPROC/DONEPROC (RPC) from the done events, setting
 * DONE_MORE on all but the last, and appends a final DONE if needed. A
 * callback returning non-zero (client gone, write failed) makes the engine
 * stop at once, roll back the statement and return SL_ECLOSED.
 *
 * Cancellation: during long results the engine calls out->cancelled() every
 * few hundred rows (and SQLite's progress handler calls it during long
 * steps); when it returns true the engine stops, leaves the transaction as
 * SQL Server would after an attention (statement rolled back, transaction
 * open) and returns SL_ECANCELLED without a final done event.
 */
#ifndef TL_ENGINE_H
#define TL_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "sqltype.h"

struct engine;
struct engine_session;
struct engine_bulk;

struct engine_config {
    const char *data_dir;    /* one SQLite file per database; NULL = a private temp
                                directory removed by engine_close */
    const char *sa_password; /* required; "sa" is the built-in sysadmin login, others
                                come from CREATE LOGIN (kept in master) */
    unsigned cdc_capture_delay_ms; /* the background CDC capture job runs a cycle every
                                      this many ms; 0 = no job (EXEC tdslite.cdc_capture) */
};

/* Fault injection, read by the TDS layer, set by CLI flags or at run time by
 * `EXEC tdslite.set_fault N'name', value` (names: drop_after_rows,
 * delay_ms, refuse_logins). 0 = off. */
struct tl_faults {
    atomic_long drop_after_rows; /* close the socket after this many ROW tokens of one response */
    atomic_int delay_ms;         /* sleep before answering each request */
    atomic_int refuse_logins;    /* answer every login with 18456 */
};

/* Column of a result set. */
enum {
    ENGINE_COL_NULLABLE = 0x01,
    ENGINE_COL_IDENTITY = 0x02,
    ENGINE_COL_COMPUTED = 0x04,
    ENGINE_COL_UPDATABLE = 0x08,
};
struct engine_column {
    const char *name; /* UTF-8; "" for an unnamed expression */
    struct tl_type type;
    unsigned flags;
};

/* A message as SQL Server raises it. */
struct engine_msg {
    int32_t number;   /* 102, 208, 18456, 5701, ... */
    uint8_t state;
    uint8_t severity; /* "class": 0-10 info, 11-16 user errors, >= 17 fatal */
    int32_t line;     /* 1-based line within the batch/procedure text */
    const char *text; /* UTF-8 */
    const char *proc; /* procedure name or "" */
};

/* DONE flags (values equal the TDS status bits the TDS layer forwards). */
enum {
    ENGINE_DONE_ERROR = 0x0002,
    ENGINE_DONE_INXACT = 0x0004,
    ENGINE_DONE_COUNT = 0x0010,
};
/* curcmd values SQL Server uses (informational). */
enum {
    ENGINE_CMD_SELECT = 0xC1,
    ENGINE_CMD_INSERT = 0xC3,
    ENGINE_CMD_DELETE = 0xC4,
    ENGINE_CMD_UPDATE = 0xC5,
    ENGINE_CMD_SET = 0xBE,
    ENGINE_CMD_BEGIN_TRAN = 0xD4,
    ENGINE_CMD_COMMIT = 0xD5,
    ENGINE_CMD_ROLLBACK = 0xD2,
    ENGINE_CMD_EXECUTE = 0xE0,
};

enum engine_env_type {
    ENGINE_ENV_DATABASE = 1,  /* new_name / old_name */
    ENGINE_ENV_BEGIN_TRAN = 8,
    ENGINE_ENV_COMMIT_TRAN = 9,
    ENGINE_ENV_ROLLBACK_TRAN = 10,
};
struct engine_env {
    enum engine_env_type type;
    const char *new_name;   /* database changes */
    const char *old_name;
    uint64_t descriptor;    /* transaction changes: non-zero per-session id */
};

struct engine_out {
    int (*columns)(void *ctx, const struct engine_column *cols, size_t n);
    int (*row)(void *ctx, const struct tl_value *vals, size_t n);
    int (*done)(void *ctx, unsigned flags, uint16_t curcmd, uint64_t rowcount);
    int (*message)(void *ctx, const struct engine_msg *m, bool is_error);
    int (*envchange)(void *ctx, const struct engine_env *e);
    int (*retstatus)(void *ctx, int32_t status);
    int (*retvalue)(void *ctx, uint16_t ordinal, const char *name, const struct tl_type *type,
                    const struct tl_value *v);
    bool (*cancelled)(void *ctx);
    /* Has the client closed the connection? Unlike the others this may be
     * called from another session's thread while this session's thread is
     * blocked in the engine (an application lock wait); it must not touch
     * the session's buffers. NULL: never. */
    bool (*peer_gone)(void *ctx);
};

/* An RPC parameter as decoded by the TDS layer; value in canonical form. */
struct engine_param {
    const char *name; /* "@id", or "" for positional */
    struct tl_type type;
    struct tl_value value;
    bool output;     /* fByRefValue */
    bool use_default;/* fDefaultValue */
};

/* Open the engine (creates master and the data dir as needed). */
int engine_open(const struct engine_config *cfg, struct engine **out, struct sl_err *err);
/* Close after all sessions are closed. NULL ok. */
void engine_close(struct engine *e);
struct tl_faults *engine_faults(struct engine *e);
/* "Microsoft SQL Server 2022 ... (tdslite)" style @@VERSION text; static. */
const char *engine_version_string(void);

/*
 * Authenticate and open a session in `database` ("" = the login's default
 * database). On failure, calls out->message for each error SQL Server would
 * send (4060 then 18456 for an unknown database or one the login has no
 * user in; 18456 for bad credentials; 18470 for a disabled login)
 * and returns SL_EAUTH; no session is created. On success *sessp is the
 * caller's (close with engine_session_close) and no callback is made.
 * spid is the session id the TDS layer puts in packet headers (@@SPID).
 */
int engine_login(struct engine *e, const char *user, const char *password,
                 const char *database, uint16_t spid, const struct engine_out *out, void *ctx,
                 struct engine_session **sessp);

void engine_session_close(struct engine_session *s);
/* RESETCONNECTION: back to the post-login state; keep_tran leaves the open
 * transaction alone (RESETCONNECTIONSKIPTRAN). */
int engine_session_reset(struct engine_session *s, bool keep_tran);
const char *engine_session_database(const struct engine_session *s);
/* Current descriptor of the open transaction, 0 if none (ALL_HEADERS echo). */
uint64_t engine_session_transaction(const struct engine_session *s);

/* Execute a SQL batch (UTF-8 text, len bytes). Returns 0 when the batch ran
 * to its end (statement errors included: they are reported as messages),
 * SL_ECANCELLED or SL_ECLOSED. */
int engine_batch(struct engine_session *s, const char *sql, size_t len,
                 const struct engine_out *out, void *ctx);

/* Execute an RPC: proc is the name as sent or mapped from a special ProcID
 * ("sp_executesql", "sp_prepare", "sp_execute", "sp_unprepare",
 * "sp_prepexec", "sys.sp_getapplock", a user procedure ...). Same returns as
 * engine_batch. */
int engine_rpc(struct engine_session *s, const char *proc, const struct engine_param *params,
               size_t nparams, const struct engine_out *out, void *ctx);

/*
 * Bulk load (0x07) after an `INSERT BULK table (cols...)` batch: the TDS
 * layer opens with the column list the client's COLMETADATA gives, feeds
 * decoded rows, and closes; close emits DONE(COUNT) or the error via out.
 * Rows go into the table inside one transaction; nothing is visible before
 * a successful close.
 */
int engine_bulk_open(struct engine_session *s, const struct engine_column *cols, size_t ncols,
                     const struct engine_out *out, void *ctx, struct engine_bulk **bulkp);
int engine_bulk_row(struct engine_bulk *b, const struct tl_value *vals, size_t n);
int engine_bulk_close(struct engine_bulk *b, bool commit);

#endif
