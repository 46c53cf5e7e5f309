/*
 * tokens: see tokens.h.
 */
#include "tokens.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "wire.h"

/* Every writer funnels through here so a failure truncates back to mark. */
static int finish(struct buf *b, size_t mark, int rc)
{
    if (rc)
        buf_truncate(b, mark);
    return rc;
}

static int put_usertype(struct buf *b, uint32_t ut, int ver)
{
    return ver >= TDS_V72 ? buf_append_u32le(b, ut) : buf_append_u16le(b, (uint16_t)ut);
}

static bool is_text_family(uint8_t code)
{
    return code == TDS_TEXT || code == TDS_NTEXT || code == TDS_IMAGE;
}

int tokens_colmetadata(struct buf *b, const struct tds_col *cols, size_t n, int ver)
{
    size_t mark = b->len;
    int rc = buf_append_byte(b, TDS_TOK_COLMETADATA);
    if (rc == 0)
        rc = buf_append_u16le(b, (uint16_t)n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = put_usertype(b, cols[i].w.usertype, ver);
        if (rc == 0)
            rc = buf_append_u16le(b, cols[i].flags);
        if (rc == 0)
            rc = types_put_typeinfo(b, &cols[i].w);
        if (rc == 0 && is_text_family(cols[i].w.code))
            rc = ver >= TDS_V72 ? buf_append_byte(b, 0) : buf_append_u16le(b, 0); /* no table name */
        if (rc == 0)
            rc = wire_put_bvarchar(b, cols[i].name ? cols[i].name : "");
    }
    return finish(b, mark, rc);
}

int tokens_row(struct buf *b, const struct tds_col *cols, const struct tl_value *vals, size_t n,
               struct arena *a, struct types_err *e)
{
    size_t mark = b->len;
    int rc = buf_append_byte(b, TDS_TOK_ROW);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = types_put_value(b, &cols[i].w, &vals[i], a, e);
        if (rc == SL_ESTATE && e)
            snprintf(e->text, sizeof(e->text),
                     "tdslite internal error: NULL in NOT NULL column '%s'",
                     cols[i].name ? cols[i].name : "");
    }
    return finish(b, mark, rc);
}

int tokens_done(struct buf *b, uint8_t token, uint16_t status, uint16_t curcmd, uint64_t count,
                int ver)
{
    size_t mark = b->len;
    int rc = buf_append_byte(b, token);
    if (rc == 0)
        rc = buf_append_u16le(b, status);
    if (rc == 0)
        rc = buf_append_u16le(b, curcmd);
    if (rc == 0)
        rc = ver >= TDS_V72 ? buf_append_u64le(b, count) : buf_append_u32le(b, (uint32_t)count);
    return finish(b, mark, rc);
}

int tokens_message(struct buf *b, bool is_error, int32_t number, uint8_t state, uint8_t cls,
                   const char *text, const char *server, const char *proc, int32_t line, int ver)
{
    size_t mark = b->len, lenpos;
    int rc = buf_append_byte(b, is_error ? TDS_TOK_ERROR : TDS_TOK_INFO);
    lenpos = b->len;
    if (rc == 0)
        rc = buf_append_u16le(b, 0);
    if (rc == 0)
        rc = buf_append_u32le(b, (uint32_t)number);
    if (rc == 0)
        rc = buf_append_byte(b, state);
    if (rc == 0)
        rc = buf_append_byte(b, cls);
    if (rc == 0)
        rc = wire_put_usvarchar(b, text ? text : "");
    if (rc == 0)
        rc = wire_put_bvarchar(b, server ? server : "");
    if (rc == 0)
        rc = wire_put_bvarchar(b, proc ? proc : "");
    if (rc == 0)
        rc = ver >= TDS_V72 ? buf_append_u32le(b, (uint32_t)line)
                            : buf_append_u16le(b, (uint16_t)line);
    if (rc == 0 && b->len - lenpos - 2 > 0xFFFF)
        rc = SL_ELIMIT;
    if (rc == 0)
        wire_store_u16(b->data + lenpos, (uint16_t)(b->len - lenpos - 2));
    return finish(b, mark, rc);
}

static int envchange_begin(struct buf *b, uint8_t type, size_t *lenpos)
{
    int rc = buf_append_byte(b, TDS_TOK_ENVCHANGE);
    *lenpos = b->len;
    if (rc == 0)
        rc = buf_append_u16le(b, 0);
    if (rc == 0)
        rc = buf_append_byte(b, type);
    return rc;
}

static int envchange_end(struct buf *b, size_t lenpos)
{
    if (b->len - lenpos - 2 > 0xFFFF)
        return SL_ELIMIT;
    wire_store_u16(b->data + lenpos, (uint16_t)(b->len - lenpos - 2));
    return 0;
}

int tokens_envchange_str(struct buf *b, uint8_t type, const char *newv, const char *oldv)
{
    size_t mark = b->len, lenpos;
    int rc = envchange_begin(b, type, &lenpos);
    if (rc == 0)
        rc = wire_put_bvarchar(b, newv ? newv : "");
    if (rc == 0)
        rc = wire_put_bvarchar(b, oldv ? oldv : "");
    if (rc == 0)
        rc = envchange_end(b, lenpos);
    return finish(b, mark, rc);
}

int tokens_envchange_bytes(struct buf *b, uint8_t type, const uint8_t *newv, size_t nn,
                           const uint8_t *oldv, size_t on)
{
    size_t mark = b->len, lenpos;
    int rc = envchange_begin(b, type, &lenpos);
    if (nn > 255 || on > 255)
        rc = SL_EINVAL;
    if (rc == 0)
        rc = buf_append_byte(b, (uint8_t)nn);
    if (rc == 0 && nn)
        rc = buf_append(b, newv, nn);
    if (rc == 0)
        rc = buf_append_byte(b, (uint8_t)on);
    if (rc == 0 && on)
        rc = buf_append(b, oldv, on);
    if (rc == 0)
        rc = envchange_end(b, lenpos);
    return finish(b, mark, rc);
}

int tokens_loginack(struct buf *b, uint32_t tds_version)
{
    static const uint8_t progver[4] = {16, 0, 0x07, 0xD0}; /* 16.0.2000 */
    size_t mark = b->len, lenpos;
    uint8_t v[4] = {(uint8_t)(tds_version >> 24), (uint8_t)(tds_version >> 16),
                    (uint8_t)(tds_version >> 8), (uint8_t)tds_version};
    int rc = buf_append_byte(b, TDS_TOK_LOGINACK);
    lenpos = b->len;
    if (rc == 0)
        rc = buf_append_u16le(b, 0);
    if (rc == 0)
        rc = buf_append_byte(b, 1); /* interface SQL_TSQL */
    if (rc == 0)
        rc = buf_append(b, v, 4);
    if (rc == 0)
        rc = wire_put_bvarchar(b, "Microsoft SQL Server");
    if (rc == 0)
        rc = buf_append(b, progver, 4);
    if (rc == 0)
        wire_store_u16(b->data + lenpos, (uint16_t)(b->len - lenpos - 2));
    return finish(b, mark, rc);
}

int tokens_retstatus(struct buf *b, int32_t status)
{
    size_t mark = b->len;
    int rc = buf_append_byte(b, TDS_TOK_RETURNSTATUS);
    if (rc == 0)
        rc = buf_append_u32le(b, (uint32_t)status);
    return finish(b, mark, rc);
}

int tokens_retvalue(struct buf *b, uint16_t ordinal, const char *name, const struct tds_wtype *w,
                    const struct tl_value *v, struct arena *a, struct types_err *e, int ver)
{
    size_t mark = b->len;
    int rc = buf_append_byte(b, TDS_TOK_RETURNVALUE);
    if (rc == 0)
        rc = buf_append_u16le(b, ordinal);
    if (rc == 0)
        rc = wire_put_bvarchar(b, name ? name : "");
    if (rc == 0)
        rc = buf_append_byte(b, 0x01);
    if (rc == 0)
        rc = put_usertype(b, w->usertype, ver);
    if (rc == 0)
        rc = buf_append_u16le(b, TDS_COL_NULLABLE);
    if (rc == 0)
        rc = types_put_typeinfo(b, w);
    if (rc == 0)
        rc = types_put_value(b, w, v, a, e);
    return finish(b, mark, rc);
}
