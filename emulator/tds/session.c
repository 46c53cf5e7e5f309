/*
 * session: see session.h.
 */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "login.h"
#include "net.h"
#include "request.h"
#include "tokens.h"
#include "types.h"

/* Per-response state driven by the engine callbacks. */
struct resp {
    uint8_t done_token;   /* DONE for batches, DONEINPROC inside an RPC */
    bool pending;         /* a statement DONE waits to learn whether more follows */
    uint16_t p_status, p_cmd;
    uint64_t p_count;
    struct tds_col *cols; /* current result set (request arena) */
    size_t ncols;
    bool skip_rows;       /* result abandoned: rows are dropped until its done */
    bool result_failed;   /* its done gets DONE_ERROR and no count */
    long rows;            /* ROW tokens sent in this response (drop fault) */
    bool retstatus_sent;
    bool any_error;
};

struct session {
    struct engine *engine;
    struct tl_faults *faults;
    struct tds_conn conn;
    struct engine_session *es;
    struct engine_out out;
    int ver;
    uint32_t ack_version;
    uint32_t packet_size;
    struct arena req;     /* per request */
    struct arena rowa;    /* per row */
    struct buf scratch;   /* one token */
    struct resp r;
    bool fatal;           /* close after this response */
    char ctx[48];         /* log context */
};

/* ---- writing ---- */

static int emit(struct session *s)
{
    int rc = net_write(&s->conn, s->scratch.data, s->scratch.len);
    buf_reset(&s->scratch);
    return rc;
}

static int write_done(struct session *s, uint8_t token, uint16_t status, uint16_t cmd,
                      uint64_t count)
{
    buf_reset(&s->scratch);
    if (tokens_done(&s->scratch, token, status, cmd, count, s->ver) != 0)
        return SL_ENOMEM;
    return emit(s);
}

static int write_message(struct session *s, bool is_error, int32_t number, uint8_t state,
                         uint8_t cls, const char *text, const char *proc, int32_t line)
{
    buf_reset(&s->scratch);
    if (tokens_message(&s->scratch, is_error, number, state, cls, text, TDS_SERVER_NAME, proc,
                       line, s->ver) != 0)
        return SL_ENOMEM;
    if (is_error)
        s->r.any_error = true;
    return emit(s);
}

static int flush_pending(struct session *s)
{
    if (!s->r.pending)
        return 0;
    s->r.pending = false;
    return write_done(s, s->r.done_token, s->r.p_status | TDS_DONE_MORE, s->r.p_cmd, s->r.p_count);
}

static void resp_begin(struct session *s, uint8_t done_token)
{
    memset(&s->r, 0, sizeof(s->r));
    s->r.done_token = done_token;
    s->conn.poll_input = true;
}

/* A separate message holding only DONE(ATTN) (spec §9). */
static int send_attention_ack(struct session *s)
{
    int rc;
    s->conn.attn = false;
    net_discard(&s->conn);
    rc = write_done(s, TDS_TOK_DONE, TDS_DONE_ATTN, 0, 0);
    return rc ? rc : net_end(&s->conn);
}

/*
 * End a batch-like response: the pending DONE becomes the final one, or a
 * final DONE is added. After a cancel the message is closed with DONE(0)
 * and the attention ack follows as its own message.
 */
static int resp_end(struct session *s, int rc)
{
    int wrc = 0;
    s->conn.poll_input = false;
    if (s->conn.closed)
        return SL_ECLOSED;
    if (rc == SL_ECANCELLED || s->conn.attn) {
        wrc = flush_pending(s);
        if (wrc == 0)
            wrc = write_done(s, TDS_TOK_DONE, 0, 0, 0);
    } else {
        if (rc != 0 && rc != SL_ECLOSED) {
            char msg[200];
            snprintf(msg, sizeof(msg), "tdslite internal error: %s.", sl_strerror(rc));
            wrc = flush_pending(s);
            if (wrc == 0)
                wrc = write_message(s, true, 50000, 1, 16, msg, "", 1);
        }
        if (wrc == 0 && s->r.pending) {
            s->r.pending = false;
            wrc = write_done(s, TDS_TOK_DONE, s->r.p_status | (rc ? TDS_DONE_ERROR : 0),
                             s->r.p_cmd, s->r.p_count);
        } else if (wrc == 0) {
            wrc = write_done(s, TDS_TOK_DONE, s->r.any_error || rc ? TDS_DONE_ERROR : 0, 0, 0);
        }
    }
    if (wrc == 0)
        wrc = net_end(&s->conn);
    if (wrc == 0 && s->conn.attn)
        wrc = send_attention_ack(s);
    return wrc;
}

/* ---- engine callbacks ---- */

/* COLMETADATA flags. fNullable follows the engine: SQL Server clears it for
 * a column it knows to be NOT NULL (base column, COUNT, literal ...). */
static uint16_t col_flags(unsigned f)
{
    uint16_t w = (f & ENGINE_COL_NULLABLE) ? TDS_COL_NULLABLE : 0;
    if (f & ENGINE_COL_IDENTITY)
        w |= TDS_COL_IDENTITY;
    if (f & ENGINE_COL_COMPUTED)
        w |= TDS_COL_COMPUTED;
    if (f & ENGINE_COL_UPDATABLE)
        w |= TDS_COL_UPD_RW;
    else if (!(f & (ENGINE_COL_IDENTITY | ENGINE_COL_COMPUTED)))
        w |= TDS_COL_UPD_UNKNOWN;
    return w;
}

static bool stopped(struct session *s)
{
    return s->conn.attn || s->conn.closed;
}

static int cb_columns(void *ctx, const struct engine_column *cols, size_t n)
{
    struct session *s = ctx;
    struct tds_col *tc;
    if (s->conn.closed)
        return -1;
    if (s->conn.attn)
        return 0;
    if (flush_pending(s) != 0)
        return -1;
    s->r.skip_rows = s->r.result_failed = false;
    tc = arena_alloc(&s->req, sizeof(*tc) * (n ? n : 1));
    if (!tc)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (types_wire_of(&cols[i].type, s->ver, &tc[i].w) != 0) {
            char msg[200];
            snprintf(msg, sizeof(msg), "Column \"%s\" has a type tdslite cannot send (type id %d).",
                     cols[i].name, (int)cols[i].type.id);
            s->r.skip_rows = s->r.result_failed = true;
            s->r.cols = NULL;
            s->r.ncols = 0;
            return write_message(s, true, 50000, 1, 16, msg, "", 1) ? -1 : 0;
        }
        if (!(cols[i].flags & ENGINE_COL_NULLABLE))
            types_wire_set_not_null(&tc[i].w); /* INT4 rather than INTN(4), as SQL Server */
        tc[i].flags = col_flags(cols[i].flags);
        tc[i].name = cols[i].name;
    }
    s->r.cols = tc;
    s->r.ncols = n;
    buf_reset(&s->scratch);
    if (tokens_colmetadata(&s->scratch, tc, n, s->ver) != 0)
        return -1;
    return emit(s) ? -1 : 0;
}

/*
 * A row could not be encoded: send ERROR instead of it and skip the rest of
 * the result, whose DONE then carries DONE_ERROR (cb_done). Nothing of the
 * row has reached the stream (tokens_row builds it whole), so the client
 * sees a well-formed, failed result. SL_ESTATE is a NULL in a NOT NULL
 * column: the engine's nullability was wrong, which is our bug, not the
 * client's, so it is logged as an error.
 */
static int row_failed(struct session *s, const struct types_err *e, int rc)
{
    char msg[sizeof(e->text)];
    bool described = rc == SL_ECONVERT || rc == SL_ESTATE;
    if (described)
        snprintf(msg, sizeof(msg), "%s", e->text);
    else
        snprintf(msg, sizeof(msg), "tdslite could not encode a row: %s.", sl_strerror(rc));
    if (rc == SL_ESTATE)
        sl_log_error(s->ctx, "result abandoned (engine nullability bug): %s", msg);
    else
        sl_log_warn(s->ctx, "result abandoned: %s", msg);
    s->r.skip_rows = s->r.result_failed = true;
    return write_message(s, true, described && e->number ? e->number : 50000, 1, 16, msg, "", 1)
               ? -1
               : 0;
}

static int drop_connection(struct session *s)
{
    sl_log_warn(s->ctx, "fault injection: dropping the connection after %ld rows", s->r.rows);
    net_flush(&s->conn);
    shutdown(s->conn.fd, SHUT_RDWR);
    s->conn.closed = true;
    return -1;
}

static int cb_row(void *ctx, const struct tl_value *vals, size_t n)
{
    struct session *s = ctx;
    struct types_err e;
    long drop;
    int rc;
    if (s->conn.closed)
        return -1;
    if (s->conn.attn || s->r.skip_rows)
        return 0;
    if (n != s->r.ncols) {
        e.number = 0;
        snprintf(e.text, sizeof(e.text), "engine sent %zu values for %zu columns", n, s->r.ncols);
        return row_failed(s, &e, SL_ECONVERT);
    }
    arena_reset(&s->rowa);
    buf_reset(&s->scratch);
    memset(&e, 0, sizeof(e));
    if ((rc = tokens_row(&s->scratch, s->r.cols, vals, n, &s->rowa, &e)) != 0)
        return row_failed(s, &e, rc);
    if (emit(s) != 0)
        return -1;
    s->r.rows++;
    drop = atomic_load(&s->faults->drop_after_rows);
    if (drop > 0 && s->r.rows >= drop)
        return drop_connection(s);
    return 0;
}

static int cb_done(void *ctx, unsigned flags, uint16_t curcmd, uint64_t rowcount)
{
    struct session *s = ctx;
    if (s->conn.closed)
        return -1;
    if (s->conn.attn)
        return 0;
    if (flush_pending(s) != 0)
        return -1;
    s->r.pending = true;
    s->r.p_status = (uint16_t)(flags & (ENGINE_DONE_ERROR | ENGINE_DONE_INXACT | ENGINE_DONE_COUNT));
    if (s->r.result_failed) {
        s->r.p_status |= TDS_DONE_ERROR;
        s->r.p_status &= (uint16_t)~TDS_DONE_COUNT;
    }
    s->r.p_cmd = curcmd;
    s->r.p_count = rowcount;
    s->r.skip_rows = s->r.result_failed = false;
    s->r.cols = NULL;
    s->r.ncols = 0;
    return 0;
}

static int cb_message(void *ctx, const struct engine_msg *m, bool is_error)
{
    struct session *s = ctx;
    if (s->conn.closed)
        return -1;
    if (s->conn.attn)
        return 0;
    if (flush_pending(s) != 0)
        return -1;
    if (m->severity >= 20)
        s->fatal = true;
    return write_message(s, is_error || m->severity > 10, m->number, m->state, m->severity,
                         m->text, m->proc ? m->proc : "", m->line)
               ? -1
               : 0;
}

static int cb_envchange(void *ctx, const struct engine_env *e)
{
    struct session *s = ctx;
    uint8_t d[8];
    int rc;
    if (s->conn.closed)
        return -1;
    if (flush_pending(s) != 0)
        return -1;
    for (int i = 0; i < 8; i++)
        d[i] = (uint8_t)(e->descriptor >> (8 * i));
    buf_reset(&s->scratch);
    switch (e->type) {
    case ENGINE_ENV_DATABASE:
        rc = tokens_envchange_str(&s->scratch, 1, e->new_name, e->old_name);
        break;
    case ENGINE_ENV_BEGIN_TRAN:
        rc = tokens_envchange_bytes(&s->scratch, 8, d, 8, NULL, 0);
        break;
    default:
        rc = tokens_envchange_bytes(&s->scratch, (uint8_t)e->type, NULL, 0, d, 8);
        break;
    }
    if (rc)
        return -1;
    return emit(s) ? -1 : 0;
}

static int cb_retstatus(void *ctx, int32_t status)
{
    struct session *s = ctx;
    if (s->conn.closed)
        return -1;
    if (s->conn.attn)
        return 0;
    if (flush_pending(s) != 0)
        return -1;
    s->r.retstatus_sent = true;
    buf_reset(&s->scratch);
    if (tokens_retstatus(&s->scratch, status) != 0)
        return -1;
    return emit(s) ? -1 : 0;
}

static int cb_retvalue(void *ctx, uint16_t ordinal, const char *name, const struct tl_type *type,
                       const struct tl_value *v)
{
    struct session *s = ctx;
    struct tds_wtype w;
    struct types_err e;
    static const struct tl_value null_value = {.kind = TL_V_NULL};
    if (s->conn.closed)
        return -1;
    if (s->conn.attn)
        return 0;
    if (!s->r.retstatus_sent && cb_retstatus(ctx, 0) != 0)
        return -1;
    if (flush_pending(s) != 0)
        return -1;
    if (types_wire_of(type, s->ver, &w) != 0) {
        struct tl_type nv = {.id = TL_T_NVARCHAR, .length = 1};
        types_wire_of(&nv, s->ver, &w);
        v = &null_value;
    }
    arena_reset(&s->rowa);
    buf_reset(&s->scratch);
    memset(&e, 0, sizeof(e));
    if (tokens_retvalue(&s->scratch, ordinal, name, &w, v, &s->rowa, &e, s->ver) != 0) {
        /* Keep the stream valid: report the problem, return NULL. */
        if (write_message(s, true, e.number ? e.number : 50000, 1, 16, e.text, "", 1) != 0)
            return -1;
        buf_reset(&s->scratch);
        if (tokens_retvalue(&s->scratch, ordinal, name, &w, &null_value, &s->rowa, &e, s->ver))
            return -1;
    }
    return emit(s) ? -1 : 0;
}

static bool cb_cancelled(void *ctx)
{
    struct session *s = ctx;
    net_poll_attention(&s->conn);
    return stopped(s);
}

/* Another session's thread asks while this one waits in the engine. */
static bool cb_peer_gone(void *ctx)
{
    struct session *s = ctx;
    return net_peer_gone(&s->conn);
}

/* ---- login ---- */

static int read_rest(struct tds_rd *r, struct buf *out)
{
    while (!wire_at_end(r)) {
        int rc = buf_append(out, r->p + r->pos, r->n - r->pos);
        if (rc)
            return rc;
        r->pos = r->n;
    }
    return r->err == SL_ECORRUPT ? 0 : r->err;
}

static int login_failed(struct session *s, const char *user, bool have_msgs)
{
    char msg[300];
    if (!have_msgs) {
        snprintf(msg, sizeof(msg), "Login failed for user '%s'.", user);
        write_message(s, true, 18456, 1, 14, msg, "", 1);
    }
    write_done(s, TDS_TOK_DONE, TDS_DONE_ERROR, 0, 0);
    net_end(&s->conn);
    sl_log_info(s->ctx, "login failed for user \"%s\"", user);
    return SL_EAUTH;
}

/* PRELOGIN (optional) then LOGIN7. 0 when the session is ready. */
static int do_login(struct session *s)
{
    struct tds_rd r;
    struct tds_prelogin pre = {0};
    struct tds_login7 lg;
    struct buf body;
    int rc;
    bool saw_prelogin = false;

    buf_init(&body, 1 << 20);
    for (;;) {
        if ((rc = net_msg_begin(&s->conn, &r)) != 0) {
            if (saw_prelogin && (pre.encryption == TDS_ENCRYPT_ON || pre.encryption == TDS_ENCRYPT_REQ))
                sl_log_warn(s->ctx, "client requires encryption; tdslite does not support TLS");
            goto out;
        }
        buf_reset(&body);
        if ((rc = read_rest(&r, &body)) != 0)
            goto out;
        if (s->conn.msg_type == TDS_PKT_PRELOGIN && !saw_prelogin) {
            saw_prelogin = true;
            if ((rc = login_prelogin_parse(body.data, body.len, &pre)) != 0)
                goto out;
            if (pre.encryption == TDS_ENCRYPT_ON || pre.encryption == TDS_ENCRYPT_REQ)
                sl_log_info(s->ctx, "client asked for encryption; replying ENCRYPT_NOT_SUP "
                                    "(tdslite does not support TLS)");
            buf_reset(&s->scratch);
            if ((rc = login_prelogin_reply(&s->scratch)) != 0 || (rc = emit(s)) != 0 ||
                (rc = net_end(&s->conn)) != 0)
                goto out;
            continue;
        }
        if (s->conn.msg_type == TDS_PKT_PRELOGIN) {
            /* A second PRELOGIN after ENCRYPT_NOT_SUP is a TLS handshake. */
            sl_log_warn(s->ctx, "client requires encryption; tdslite does not support TLS");
            rc = SL_EUNSUPPORTED;
            goto out;
        }
        if (s->conn.msg_type != TDS_PKT_LOGIN7) {
            sl_log_warn(s->ctx, "unexpected packet type 0x%02x before login; closing",
                        s->conn.msg_type);
            rc = SL_EPROTOCOL;
            goto out;
        }
        break;
    }
    if ((rc = login_parse_login7(body.data, body.len, &s->req, &lg)) != 0) {
        sl_log_warn(s->ctx, "malformed LOGIN7; closing");
        goto out;
    }
    s->ack_version = login_negotiate(lg.tds_version, &s->ver);
    s->packet_size = login_packet_size(lg.packet_size);
    sl_log_debug(s->ctx, "LOGIN7 user=\"%s\" db=\"%s\" app=\"%s\" tds=0x%08x packet=%u",
                 lg.user, lg.database, lg.app, lg.tds_version, (unsigned)lg.packet_size);
    if (atomic_load(&s->faults->refuse_logins) || lg.sspi) {
        rc = login_failed(s, lg.user, false);
        goto out;
    }
    resp_begin(s, TDS_TOK_DONE);
    rc = engine_login(s->engine, lg.user, lg.password, lg.database, s->conn.spid, &s->out, s,
                      &s->es);
    if (rc != 0) {
        rc = login_failed(s, lg.user, s->r.any_error);
        goto out;
    }
    net_discard(&s->conn);
    buf_reset(&s->scratch);
    if ((rc = login_response(&s->scratch, engine_session_database(s->es), s->ack_version, s->ver,
                             s->packet_size)) != 0 ||
        (rc = emit(s)) != 0 || (rc = net_end(&s->conn)) != 0)
        goto out;
    net_set_packet_size(&s->conn, s->packet_size);
    sl_log_info(s->ctx, "login user=\"%s\" database=\"%s\" app=\"%s\" tds=%d", lg.user,
                engine_session_database(s->es), lg.app, s->ver);
out:
    if (body.data)
        memset(body.data, 0, body.len); /* the password was in there */
    buf_free(&body);
    arena_reset(&s->req);
    return rc;
}

/* ---- requests ---- */

static int reset_connection(struct session *s)
{
    uint8_t st = s->conn.msg_status;
    if (!(st & (TDS_ST_RESETCONN | TDS_ST_RESETCONN_SKIPTRAN)))
        return 0;
    engine_session_reset(s->es, (st & TDS_ST_RESETCONN_SKIPTRAN) != 0);
    buf_reset(&s->scratch);
    if (tokens_envchange_bytes(&s->scratch, 18, NULL, 0, NULL, 0) != 0)
        return SL_ENOMEM;
    return emit(s);
}

/* The client abandoned the message (IGNORE bit): one DONE(ERROR). */
static int answer_ignored(struct session *s)
{
    net_discard(&s->conn);
    if (write_done(s, TDS_TOK_DONE, TDS_DONE_ERROR, 0, 0) != 0)
        return SL_ECLOSED;
    return net_end(&s->conn);
}

/* A request that could not be decoded: ERROR + final DONE(ERROR). */
static int answer_error(struct session *s, int32_t number, const char *text)
{
    resp_begin(s, TDS_TOK_DONE);
    write_message(s, true, number, 1, 16, text, "", 1);
    return resp_end(s, 0);
}

static int run_sql(struct session *s, const char *sql, size_t n)
{
    int rc;
    resp_begin(s, TDS_TOK_DONE);
    if ((rc = reset_connection(s)) != 0)
        return rc;
    sl_log_debug(s->ctx, "batch: %.*s", (int)(n > 2000 ? 2000 : n), sql);
    rc = engine_batch(s->es, sql, n, &s->out, s);
    return resp_end(s, rc);
}

static int do_batch(struct session *s, struct tds_rd *r)
{
    struct buf text16, sql;
    int rc;
    buf_init(&text16, 0);
    buf_init(&sql, 0);
    if (s->ver >= TDS_V72 && request_skip_headers(r) != 0) {
        rc = SL_EPROTOCOL;
        goto out;
    }
    if ((rc = read_rest(r, &text16)) != 0)
        goto out;
    if (s->conn.msg_ignore) {
        rc = answer_ignored(s);
        goto out;
    }
    if ((rc = utf16le_to_utf8(&sql, text16.data ? text16.data : (const uint8_t *)"", text16.len)))
        goto out;
    buf_free(&text16);
    rc = run_sql(s, sql.data ? (const char *)sql.data : "", sql.len);
out:
    buf_free(&text16);
    buf_free(&sql);
    return rc;
}

static int do_tm(struct session *s, struct tds_rd *r)
{
    struct buf sql;
    char why[300] = "";
    int rc;
    buf_init(&sql, 0);
    if (s->ver >= TDS_V72 && request_skip_headers(r) != 0) {
        rc = SL_EPROTOCOL;
        goto out;
    }
    rc = request_tm_sql(r, &sql, why, sizeof(why));
    if (net_msg_drain(&s->conn, r) != 0) {
        rc = SL_ECLOSED;
        goto out;
    }
    if (s->conn.msg_ignore)
        rc = answer_ignored(s);
    else if (rc == SL_EUNSUPPORTED)
        rc = answer_error(s, 8522, why);
    else if (rc != 0)
        rc = SL_EPROTOCOL;
    else
        rc = run_sql(s, (const char *)sql.data, sql.len);
out:
    buf_free(&sql);
    return rc;
}

static int run_rpcs(struct session *s, struct tds_rpc *rpcs, size_t n)
{
    int rc = 0;
    bool any = false;
    resp_begin(s, TDS_TOK_DONEINPROC);
    if ((rc = reset_connection(s)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        if (rpcs[i].no_exec)
            continue;
        s->r.retstatus_sent = false;
        s->r.any_error = false;
        sl_log_debug(s->ctx, "rpc %s (%zu params)", rpcs[i].proc, rpcs[i].nparams);
        rc = engine_rpc(s->es, rpcs[i].proc, rpcs[i].params, rpcs[i].nparams, &s->out, s);
        if (rc == SL_ECANCELLED || rc == SL_ECLOSED || stopped(s))
            break;
        any = true;
        if (flush_pending(s) != 0)
            return SL_ECLOSED;
        if (rc != 0) {
            char msg[200];
            snprintf(msg, sizeof(msg), "tdslite internal error: %s.", sl_strerror(rc));
            write_message(s, true, 50000, 1, 16, msg, "", 1);
            rc = 0;
        }
        if (!s->r.retstatus_sent && !s->r.any_error && cb_retstatus(s, 0) != 0)
            return SL_ECLOSED;
        if (write_done(s, TDS_TOK_DONEPROC,
                       (uint16_t)((s->r.any_error ? TDS_DONE_ERROR : 0) | (last ? 0 : TDS_DONE_MORE)),
                       ENGINE_CMD_EXECUTE, 0) != 0)
            return SL_ECLOSED;
    }
    s->conn.poll_input = false;
    if (s->conn.closed)
        return SL_ECLOSED;
    if (rc == SL_ECANCELLED || s->conn.attn || !any) {
        /* Cancelled (or nothing ran): close the message with a plain DONE. */
        s->r.done_token = TDS_TOK_DONE;
        return resp_end(s, any ? SL_ECANCELLED : 0);
    }
    if ((rc = net_end(&s->conn)) == 0 && s->conn.attn)
        rc = send_attention_ack(s);
    return rc;
}

static int do_rpc(struct session *s, struct tds_rd *r)
{
    struct tds_rpc *rpcs = NULL;
    size_t n = 0;
    char why[400] = "";
    int rc;
    if (s->ver >= TDS_V72 && request_skip_headers(r) != 0)
        return SL_EPROTOCOL;
    rc = request_parse_rpc(r, s->ver, &s->req, &rpcs, &n, why, sizeof(why));
    if (net_msg_drain(&s->conn, r) != 0)
        return SL_ECLOSED;
    if (s->conn.msg_ignore)
        return answer_ignored(s);
    if (rc == SL_ECORRUPT || rc == SL_EUNSUPPORTED) {
        sl_log_warn(s->ctx, "rpc rejected: %s", why);
        return answer_error(s, rc == SL_ECORRUPT ? 8016 : 2812, why);
    }
    if (rc != 0)
        return rc;
    return run_rpcs(s, rpcs, n);
}

/* ---- bulk load ---- */

static int bulk_colmetadata(struct session *s, struct tds_rd *r, struct engine_column **colsp,
                            struct tds_wtype **wp, size_t *np)
{
    struct buf name;
    size_t n;
    struct engine_column *cols;
    struct tds_wtype *w;
    if (wire_u8(r) != TDS_TOK_COLMETADATA)
        return SL_ECORRUPT;
    n = wire_u16(r);
    if (r->err || n == 0 || n == 0xFFFF)
        return SL_ECORRUPT;
    cols = arena_alloc(&s->req, n * sizeof(*cols));
    w = arena_alloc(&s->req, n * sizeof(*w));
    if (!cols || !w)
        return SL_ENOMEM;
    buf_init(&name, 0);
    for (size_t i = 0; i < n && !r->err; i++) {
        uint32_t ut = s->ver >= TDS_V72 ? wire_u32(r) : wire_u16(r);
        uint16_t fl = wire_u16(r);
        if (types_read_typeinfo(r, &w[i]) != 0) {
            buf_free(&name);
            return SL_ECORRUPT;
        }
        w[i].usertype = ut;
        if (ut == TDS_USERTYPE_TIMESTAMP && w[i].t.id == TL_T_BINARY)
            w[i].t.id = TL_T_ROWVERSION;
        if (w[i].code == TDS_TEXT || w[i].code == TDS_NTEXT || w[i].code == TDS_IMAGE) {
            unsigned parts = s->ver >= TDS_V72 ? wire_u8(r) : 1;
            for (unsigned k = 0; k < parts && !r->err; k++)
                wire_get_usvarchar(r, &name);
        }
        wire_get_bvarchar(r, &name);
        memset(&cols[i], 0, sizeof(cols[i]));
        cols[i].name = arena_strndup(&s->req, name.data ? (const char *)name.data : "", name.len);
        cols[i].type = w[i].t;
        cols[i].flags = ((fl & TDS_COL_NULLABLE) ? ENGINE_COL_NULLABLE : 0) |
                        ((fl & TDS_COL_IDENTITY) ? ENGINE_COL_IDENTITY : 0) |
                        ((fl & TDS_COL_COMPUTED) ? ENGINE_COL_COMPUTED : 0);
    }
    buf_free(&name);
    if (r->err)
        return SL_ECORRUPT;
    *colsp = cols;
    *wp = w;
    *np = n;
    return 0;
}

/* Feed ROW/NBCROW tokens to the engine until the end of the message. */
static int bulk_rows(struct session *s, struct tds_rd *r, struct engine_bulk *b,
                     const struct tds_wtype *w, size_t n, struct tl_value *vals)
{
    while (!wire_at_end(r)) {
        uint8_t tok = wire_u8(r);
        const uint8_t *bitmap = NULL;
        int rc;
        if (tok == TDS_TOK_DONE || tok == TDS_TOK_DONEPROC || tok == TDS_TOK_DONEINPROC) {
            wire_skip(r, s->ver >= TDS_V72 ? 12 : 8);
            continue;
        }
        if (tok != TDS_TOK_ROW && tok != TDS_TOK_NBCROW)
            return SL_ECORRUPT;
        arena_reset(&s->rowa);
        if (tok == TDS_TOK_NBCROW) {
            const uint8_t *bm = wire_bytes(r, (n + 7) / 8);
            if (!bm || !(bitmap = arena_memdup(&s->rowa, bm, (n + 7) / 8)))
                return SL_ECORRUPT;
        }
        for (size_t i = 0; i < n; i++) {
            if (bitmap && (bitmap[i / 8] & (1u << (i % 8)))) {
                memset(&vals[i], 0, sizeof(vals[i]));
                continue;
            }
            if ((rc = types_read_value(r, &w[i], false, &s->rowa, &vals[i])) != 0)
                return rc;
        }
        if ((rc = engine_bulk_row(b, vals, n)) != 0)
            return rc;
    }
    return r->err == SL_ECORRUPT || r->err == 0 ? 0 : r->err;
}

static int do_bulk(struct session *s, struct tds_rd *r)
{
    struct engine_column *cols = NULL;
    struct tds_wtype *w = NULL;
    struct engine_bulk *b = NULL;
    struct tl_value *vals;
    size_t n = 0;
    int rc, rrc;
    resp_begin(s, TDS_TOK_DONE);
    rc = bulk_colmetadata(s, r, &cols, &w, &n);
    if (rc != 0) {
        net_msg_drain(&s->conn, r);
        return s->conn.msg_ignore ? answer_ignored(s)
                                  : answer_error(s, 4804, "The bulk load data stream is malformed "
                                                          "(bad COLMETADATA).");
    }
    if (!(vals = arena_alloc(&s->req, n * sizeof(*vals))))
        return SL_ENOMEM;
    rc = engine_bulk_open(s->es, cols, n, &s->out, s, &b);
    if (rc != 0) {
        net_msg_drain(&s->conn, r);
        return resp_end(s, rc == SL_ECLOSED ? rc : 0);
    }
    rrc = bulk_rows(s, r, b, w, n, vals);
    if (net_msg_drain(&s->conn, r) != 0) {
        engine_bulk_close(b, false);
        return SL_ECLOSED;
    }
    if (s->conn.msg_ignore) {
        engine_bulk_close(b, false);
        return answer_ignored(s);
    }
    if (rrc != 0 && !s->r.any_error) {
        flush_pending(s);
        write_message(s, true, 4804,
                      1, 16, "While reading current row from host, a premature end-of-message "
                             "was encountered or the bulk data stream is malformed.", "", 1);
    }
    rc = engine_bulk_close(b, rrc == 0);
    return resp_end(s, rc == SL_ECLOSED ? rc : 0);
}

/* ---- loop ---- */

static void delay_fault(struct session *s)
{
    int ms = atomic_load(&s->faults->delay_ms);
    if (ms > 0) {
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

static int handle(struct session *s, struct tds_rd *r)
{
    uint8_t type = s->conn.msg_type;
    if (type == TDS_PKT_ATTENTION) {
        net_msg_drain(&s->conn, r);
        return send_attention_ack(s);
    }
    delay_fault(s);
    net_discard(&s->conn);
    switch (type) {
    case TDS_PKT_SQLBATCH: return do_batch(s, r);
    case TDS_PKT_RPC: return do_rpc(s, r);
    case TDS_PKT_TM: return do_tm(s, r);
    case TDS_PKT_BULK: return do_bulk(s, r);
    default:
        sl_log_warn(s->ctx, "unsupported packet type 0x%02x; closing", type);
        return SL_EPROTOCOL;
    }
}

static void serve(struct session *s)
{
    if (do_login(s) != 0)
        return;
    while (!s->fatal) {
        struct tds_rd r;
        int rc;
        if (s->conn.attn && send_attention_ack(s) != 0)
            break;
        if ((rc = net_msg_begin(&s->conn, &r)) != 0) {
            if (rc != SL_ECLOSED)
                sl_log_warn(s->ctx, "read failed: %s", sl_strerror(rc));
            break;
        }
        rc = handle(s, &r);
        arena_reset(&s->req);
        if (rc != 0) {
            if (rc != SL_ECLOSED)
                sl_log_warn(s->ctx, "closing connection: %s", sl_strerror(rc));
            break;
        }
    }
}

void session_serve(struct engine *e, int fd, uint16_t spid, const char *peer)
{
    struct session *s = sl_calloc(1, sizeof(*s));
    if (!s || net_init(&s->conn, fd, spid) != 0) {
        if (s)
            net_close(&s->conn);
        else
            close(fd);
        sl_free(s);
        return;
    }
    s->engine = e;
    s->faults = engine_faults(e);
    s->ver = TDS_V74;
    s->out = (struct engine_out){.columns = cb_columns,
                                 .row = cb_row,
                                 .done = cb_done,
                                 .message = cb_message,
                                 .envchange = cb_envchange,
                                 .retstatus = cb_retstatus,
                                 .retvalue = cb_retvalue,
                                 .cancelled = cb_cancelled,
                                 .peer_gone = cb_peer_gone};
    arena_init(&s->req, 0, 0);
    arena_init(&s->rowa, 0, 0);
    buf_init(&s->scratch, 0);
    snprintf(s->ctx, sizeof(s->ctx), "spid %u %s", (unsigned)spid, peer ? peer : "");
    sl_log_debug(s->ctx, "connected");
    serve(s);
    if (s->es)
        engine_session_close(s->es);
    sl_log_debug(s->ctx, "disconnected");
    net_close(&s->conn);
    arena_free(&s->req);
    arena_free(&s->rowa);
    buf_free(&s->scratch);
    sl_free(s);
}
