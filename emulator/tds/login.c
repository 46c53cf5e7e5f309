/*
 * login: see login.h.
 */
#include "login.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "tokens.h"
#include "types.h"
#include "wire.h"

int login_prelogin_parse(const uint8_t *p, size_t n, struct tds_prelogin *out)
{
    size_t i = 0;
    memset(out, 0, sizeof(*out));
    for (;;) {
        uint8_t tok;
        size_t off, len;
        if (i >= n)
            return SL_ECORRUPT;
        tok = p[i];
        if (tok == 0xFF)
            return 0;
        if (i + 5 > n)
            return SL_ECORRUPT;
        off = ((size_t)p[i + 1] << 8) | p[i + 2];
        len = ((size_t)p[i + 3] << 8) | p[i + 4];
        if (off > n || len > n - off)
            return SL_ECORRUPT;
        if (tok == 0x01 && len >= 1) {
            out->has_encryption = true;
            out->encryption = p[off] & 0x7F;
        }
        i += 5;
    }
}

int login_prelogin_reply(struct buf *b)
{
    static const uint8_t reply[35] = {
        0x00, 0x00, 0x1A, 0x00, 0x06, /* VERSION    @0x1A len 6 */
        0x01, 0x00, 0x20, 0x00, 0x01, /* ENCRYPTION @0x20 len 1 */
        0x02, 0x00, 0x21, 0x00, 0x01, /* INSTOPT    @0x21 len 1 */
        0x03, 0x00, 0x22, 0x00, 0x00, /* THREADID   @0x22 len 0 */
        0x04, 0x00, 0x22, 0x00, 0x01, /* MARS       @0x22 len 1 */
        0xFF,
        0x10, 0x00, 0x07, 0xD0, 0x00, 0x00, /* 16.0.2000.0 */
        TDS_ENCRYPT_NOT_SUP,
        0x00, /* instance accepted */
        0x00, /* MARS off */
    };
    return buf_append(b, reply, sizeof(reply));
}

/* Read the (ib, cch) pair at off: a UTF-16 string of cch characters. */
static int get_str(const uint8_t *p, size_t n, size_t off, bool password, struct arena *a,
                   const char **out)
{
    size_t ib = (size_t)p[off] | ((size_t)p[off + 1] << 8);
    size_t cch = (size_t)p[off + 2] | ((size_t)p[off + 3] << 8);
    struct buf u16, u8;
    int rc = 0;
    *out = "";
    if (cch == 0)
        return 0;
    if (ib > n || cch * 2 > n - ib)
        return SL_ECORRUPT;
    buf_init(&u16, 0);
    buf_init(&u8, 0);
    rc = buf_append(&u16, p + ib, cch * 2);
    if (rc == 0 && password) {
        /* Undo the client's obfuscation: XOR 0xA5, then swap the nibbles. */
        for (size_t i = 0; i < u16.len; i++) {
            uint8_t c = u16.data[i] ^ 0xA5;
            u16.data[i] = (uint8_t)((c << 4) | (c >> 4));
        }
    }
    if (rc == 0)
        rc = utf16le_to_utf8(&u8, u16.data, u16.len);
    if (rc == 0 && !(*out = arena_strndup(a, u8.data ? (const char *)u8.data : "", u8.len)))
        rc = SL_ENOMEM;
    if (password && u16.data)
        memset(u16.data, 0, u16.len);
    if (password && u8.data)
        memset(u8.data, 0, u8.len);
    buf_free(&u16);
    buf_free(&u8);
    return rc;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void parse_features(const uint8_t *p, size_t n, size_t off, struct tds_login7 *out)
{
    while (off < n && p[off] != 0xFF) {
        uint8_t id = p[off];
        uint32_t len;
        if (off + 5 > n)
            return;
        len = get_u32(p + off + 1);
        off += 5;
        if (len > n - off)
            return;
        if (id == 0x0A)
            out->utf8_support = true;
        off += len;
    }
}

int login_parse_login7(const uint8_t *p, size_t n, struct arena *a, struct tds_login7 *out)
{
    static const size_t str_offs[] = {36, 40, 44, 48, 52, 60, 64, 68};
    const char **dst[] = {&out->host, &out->user, &out->password, &out->app,
                          &out->server, &out->library, &out->language, &out->database};
    uint32_t total;
    int rc;
    memset(out, 0, sizeof(*out));
    if (n < 86)
        return SL_ECORRUPT;
    total = get_u32(p);
    if (total < n)
        n = total; /* trailing bytes beyond Length are not ours */
    out->tds_version = get_u32(p + 4);
    out->packet_size = get_u32(p + 8);
    out->flags1 = p[24];
    out->flags2 = p[25];
    out->type_flags = p[26];
    out->flags3 = p[27];
    for (size_t i = 0; i < sizeof(str_offs) / sizeof(str_offs[0]); i++)
        if ((rc = get_str(p, n, str_offs[i], i == 2, a, dst[i])) != 0)
            return rc;
    out->sspi = (p[80] | (p[81] << 8)) != 0 || (out->flags2 & 0x80);
    if ((out->flags3 & 0x10) && n >= 60) {
        size_t ib = (size_t)p[56] | ((size_t)p[57] << 8);
        size_t cb = (size_t)p[58] | ((size_t)p[59] << 8);
        if (cb >= 4 && ib + 4 <= n)
            parse_features(p, n, get_u32(p + ib), out);
    }
    return 0;
}

uint32_t login_negotiate(uint32_t v, int *ver)
{
    if (v >= 0x74000000 || (v >> 24) == 0x08) {
        *ver = TDS_V74;
        return 0x74000004;
    }
    if (v == 0x730A0003 || v == 0x730B0003) {
        *ver = TDS_V73;
        return v;
    }
    if ((v >> 24) == 0x73) {
        *ver = TDS_V73;
        return 0x730B0003;
    }
    if ((v >> 24) == 0x72) {
        *ver = TDS_V72;
        return 0x72090002;
    }
    *ver = TDS_V71;
    if (v == 0x07000000 || v == 0x07010000)
        return v;
    return 0x71000001;
}

uint32_t login_packet_size(uint32_t requested)
{
    if (requested == 0)
        return 4096;
    return requested < 512 ? 512 : requested > 32767 ? 32767 : requested;
}

int login_response(struct buf *b, const char *database, uint32_t ack_version, int ver,
                   uint32_t packet_size)
{
    char msg[300], size[16];
    size_t mark = b->len;
    int rc;
    snprintf(msg, sizeof(msg), "Changed database context to '%s'.", database);
    snprintf(size, sizeof(size), "%u", (unsigned)packet_size);
    rc = tokens_envchange_str(b, 1, database, "master");
    if (rc == 0)
        rc = tokens_message(b, false, 5701, 2, 0, msg, TDS_SERVER_NAME, "", 1, ver);
    if (rc == 0)
        rc = tokens_envchange_bytes(b, 7, types_default_collation, 5, NULL, 0);
    if (rc == 0)
        rc = tokens_envchange_str(b, 2, "us_english", "");
    if (rc == 0)
        rc = tokens_message(b, false, 5703, 1, 0, "Changed language setting to us_english.",
                            TDS_SERVER_NAME, "", 1, ver);
    if (rc == 0)
        rc = tokens_loginack(b, ack_version);
    if (rc == 0)
        rc = tokens_envchange_str(b, 4, size, "4096");
    if (rc == 0)
        rc = tokens_done(b, TDS_TOK_DONE, TDS_DONE_FINAL, 0, 0, ver);
    if (rc)
        buf_truncate(b, mark);
    return rc;
}
