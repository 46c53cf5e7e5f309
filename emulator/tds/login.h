/*
 * login: the connection's opening exchange (spec/tds.md §§2-3): PRELOGIN
 * parsing and the fixed reply, LOGIN7 parsing (offsets bounds-checked,
 * password de-obfuscated, FeatureExt read), TDS version negotiation and the
 * login response token sequence.
 *
 * tdslite has no TLS: the PRELOGIN reply always says ENCRYPT_NOT_SUP and
 * MARS off (without MARS FreeTDS silently downgrades to TDS 7.1). UTF-8
 * support offered in FeatureExt is not acknowledged: varchar stays CP1252.
 */
#ifndef TL_TDS_LOGIN_H
#define TL_TDS_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

#define TDS_SERVER_NAME "tdslite"

enum {
    TDS_ENCRYPT_OFF = 0x00,
    TDS_ENCRYPT_ON = 0x01,
    TDS_ENCRYPT_NOT_SUP = 0x02,
    TDS_ENCRYPT_REQ = 0x03,
};

struct tds_prelogin {
    bool has_encryption;
    uint8_t encryption; /* client's byte, 0x80 (certificate) bit cleared */
};

/* Parse a client PRELOGIN payload. 0 or SL_ECORRUPT. */
int login_prelogin_parse(const uint8_t *p, size_t n, struct tds_prelogin *out);
/* Append the 35-byte PRELOGIN reply payload (spec §2.1). */
int login_prelogin_reply(struct buf *b);

struct tds_login7 {
    uint32_t tds_version; /* as the client sent it */
    uint32_t packet_size;
    uint8_t flags1, flags2, type_flags, flags3;
    /* UTF-8, NUL-terminated, in the caller's arena; "" when absent. */
    const char *host, *user, *password, *app, *server, *library, *language, *database;
    bool sspi;          /* integrated authentication requested */
    bool utf8_support;  /* FeatureExt UTF8_SUPPORT offered */
};

/* Parse a LOGIN7 payload; strings go to arena a. 0 or SL_ECORRUPT/SL_ENOMEM. */
int login_parse_login7(const uint8_t *p, size_t n, struct arena *a, struct tds_login7 *out);

/* The LOGINACK version constant for a client's LOGIN7 version, and the
 * protocol level (TDS_V7x) the session then speaks. */
uint32_t login_negotiate(uint32_t client_version, int *ver);

/* Clamp a requested packet size to 512..32767 (0 = 4096). */
uint32_t login_packet_size(uint32_t requested);

/* Append the successful login response (§3.3 order) ending in DONE. */
int login_response(struct buf *b, const char *database, uint32_t ack_version, int ver,
                   uint32_t packet_size);

#endif
