/*
 * request: see request.h.
 */
#include "request.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "types.h"

int request_skip_headers(struct tds_rd *r)
{
    uint32_t total = wire_u32(r);
    if (r->err)
        return r->err;
    if (total < 4)
        return SL_ECORRUPT;
    wire_skip(r, total - 4);
    return r->err;
}

const char *request_proc_name(uint16_t id)
{
    static const char *const names[] = {
        NULL, "sp_cursor", "sp_cursoropen", "sp_cursorprepare", "sp_cursorexecute",
        "sp_cursorprepexec", "sp_cursorunprepare", "sp_cursorfetch", "sp_cursoroption",
        "sp_cursorclose", "sp_executesql", "sp_prepare", "sp_execute", "sp_prepexec",
        "sp_prepexecrpc", "sp_unprepare"};
    return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

static char *utf16_dup(struct tds_rd *r, size_t nbytes, struct arena *a)
{
    struct buf u8;
    const uint8_t *p = wire_bytes(r, nbytes);
    char *s = NULL;
    if (!p)
        return NULL;
    buf_init(&u8, 0);
    if (utf16le_to_utf8(&u8, p, nbytes) == 0)
        s = arena_strndup(a, u8.data ? (const char *)u8.data : "", u8.len);
    buf_free(&u8);
    return s;
}

static int parse_param(struct tds_rd *r, struct arena *a, struct engine_param *prm, size_t idx,
                       char *why, size_t cap)
{
    struct tds_wtype w;
    uint8_t namelen = wire_u8(r), status;
    int rc;
    memset(prm, 0, sizeof(*prm));
    prm->name = namelen ? utf16_dup(r, (size_t)namelen * 2, a) : "";
    status = wire_u8(r);
    if (r->err || !prm->name)
        goto bad;
    if (status & 0x08) {
        snprintf(why, cap, "Parameter %zu (\"%s\"): encrypted parameters are not supported.",
                 idx + 1, prm->name);
        return SL_EUNSUPPORTED;
    }
    prm->output = (status & 0x01) != 0;
    prm->use_default = (status & 0x02) != 0;
    if ((rc = types_read_typeinfo(r, &w)) != 0) {
        if (rc == SL_EUNSUPPORTED) {
            snprintf(why, cap, "Parameter %zu (\"%s\"): Data type 0x%02X is unknown.", idx + 1,
                     prm->name, w.code);
            return rc;
        }
        goto bad;
    }
    prm->type = w.t;
    if ((rc = types_read_value(r, &w, true, a, &prm->value)) != 0)
        goto bad;
    return 0;
bad:
    snprintf(why, cap,
             "The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream "
             "is incorrect. Parameter %zu (\"%s\"): The supplied value is not a valid instance of "
             "its data type.",
             idx + 1, prm->name ? prm->name : "");
    return SL_ECORRUPT;
}

static bool is_separator(int b, int ver)
{
    return b == 0xFF || b == 0xFE || (ver < TDS_V72 && b == 0x80);
}

/* One RPCReqBatch; *sep gets the separator that ended it (-1 at end of message). */
static int parse_one(struct tds_rd *r, int ver, struct arena *a, struct tds_rpc *rpc, int *sep,
                     char *why, size_t cap)
{
    struct buf params;
    uint16_t namelen = wire_u16(r);
    int rc = 0;
    memset(rpc, 0, sizeof(*rpc));
    *sep = -1;
    if (namelen == 0xFFFF) {
        uint16_t id = wire_u16(r);
        rpc->proc = request_proc_name(id);
        if (!r->err && !rpc->proc) {
            snprintf(why, cap, "Could not find stored procedure with id %u.", id);
            return SL_EUNSUPPORTED;
        }
    } else {
        rpc->proc = utf16_dup(r, (size_t)namelen * 2, a);
    }
    rpc->options = wire_u16(r);
    if (r->err || !rpc->proc) {
        snprintf(why, cap, "The incoming tabular data stream (TDS) remote procedure call (RPC) "
                           "protocol stream is incorrect.");
        return SL_ECORRUPT;
    }
    buf_init(&params, 0);
    for (size_t i = 0;; i++) {
        struct engine_param p;
        int b = wire_peek(r);
        if (b < 0)
            break;
        if (is_separator(b, ver)) {
            *sep = wire_u8(r);
            break;
        }
        if ((rc = parse_param(r, a, &p, i, why, cap)) != 0)
            break;
        if (buf_append(&params, &p, sizeof(p)) != 0) {
            rc = SL_ENOMEM;
            break;
        }
    }
    if (rc == 0 && params.len) {
        rpc->nparams = params.len / sizeof(struct engine_param);
        rpc->params = arena_memdup(a, params.data, params.len);
        if (!rpc->params)
            rc = SL_ENOMEM;
    }
    buf_free(&params);
    return rc;
}

int request_parse_rpc(struct tds_rd *r, int ver, struct arena *a, struct tds_rpc **rpcs,
                      size_t *n, char *why, size_t cap)
{
    struct buf all;
    int rc = 0, sep = -1;
    bool no_exec = false;
    buf_init(&all, 0);
    *rpcs = NULL;
    *n = 0;
    do {
        struct tds_rpc one;
        if ((rc = parse_one(r, ver, a, &one, &sep, why, cap)) != 0)
            break;
        one.no_exec = no_exec;
        no_exec = sep == 0xFE;
        if ((rc = buf_append(&all, &one, sizeof(one))) != 0)
            break;
    } while (sep >= 0 && !wire_at_end(r));
    if (rc == 0 && all.len) {
        *n = all.len / sizeof(struct tds_rpc);
        if (!(*rpcs = arena_memdup(a, all.data, all.len)))
            rc = SL_ENOMEM;
    }
    buf_free(&all);
    return rc;
}

/* ---- transaction manager ---- */

static const char *isolation_sql(uint8_t level)
{
    switch (level) {
    case 1: return "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED; ";
    case 2: return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; ";
    case 3: return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; ";
    case 4: return "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; ";
    case 5: return "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; ";
    default: return "";
    }
}

/* B_VARBYTE name (length in bytes, UTF-16LE) appended as an identifier. */
static int put_name(struct tds_rd *r, struct buf *sql)
{
    uint8_t len = wire_u8(r);
    const uint8_t *p;
    struct buf u8;
    bool plain = true;
    int rc;
    if (r->err || len == 0)
        return r->err;
    if (!(p = wire_bytes(r, len)))
        return r->err;
    buf_init(&u8, 0);
    if ((rc = utf16le_to_utf8(&u8, p, len)) != 0)
        goto out;
    for (size_t i = 0; i < u8.len; i++) {
        uint8_t c = u8.data[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '#' ||
              c == '@' || (i > 0 && ((c >= '0' && c <= '9') || c == '$'))))
            plain = false;
    }
    if ((rc = buf_append_byte(sql, ' ')) != 0)
        goto out;
    if (plain) {
        rc = buf_append(sql, u8.data, u8.len);
        goto out;
    }
    rc = buf_append_byte(sql, '[');
    for (size_t i = 0; rc == 0 && i < u8.len; i++)
        rc = u8.data[i] == ']' ? buf_append(sql, "]]", 2) : buf_append_byte(sql, u8.data[i]);
    if (rc == 0)
        rc = buf_append_byte(sql, ']');
out:
    buf_free(&u8);
    return rc;
}

static int begin_sql(struct tds_rd *r, struct buf *sql)
{
    uint8_t iso = wire_u8(r);
    int rc = buf_append_str(sql, isolation_sql(iso));
    if (rc == 0)
        rc = buf_append_str(sql, "BEGIN TRANSACTION");
    return rc ? rc : put_name(r, sql);
}

int request_tm_sql(struct tds_rd *r, struct buf *sql, char *why, size_t cap)
{
    uint16_t type = wire_u16(r);
    int rc = 0;
    if (r->err)
        return r->err;
    switch (type) {
    case 5: /* TM_BEGIN_XACT */
        rc = begin_sql(r, sql);
        break;
    case 7: /* TM_COMMIT_XACT */
    case 8: /* TM_ROLLBACK_XACT */ {
        uint8_t flags;
        rc = buf_append_str(sql, type == 7 ? "COMMIT TRANSACTION" : "ROLLBACK TRANSACTION");
        if (rc == 0) {
            if (type == 8) {
                rc = put_name(r, sql);
            } else {
                /* COMMIT ignores the name, as SQL Server does. */
                uint8_t len = wire_u8(r);
                wire_skip(r, len);
            }
        }
        flags = wire_at_end(r) ? 0 : wire_u8(r);
        if (rc == 0 && !r->err && (flags & 0x01)) {
            rc = buf_append_str(sql, "; ");
            if (rc == 0)
                rc = begin_sql(r, sql);
        }
        break;
    }
    case 9: /* TM_SAVE_XACT */
        rc = buf_append_str(sql, "SAVE TRANSACTION");
        if (rc == 0)
            rc = put_name(r, sql);
        break;
    default:
        snprintf(why, cap, "Transaction manager request type %u (distributed transactions) is "
                           "not supported by tdslite.", type);
        return SL_EUNSUPPORTED;
    }
    if (rc == 0 && r->err)
        rc = SL_ECORRUPT;
    return rc;
}
