/* Unit tests for emulator/tds login.c: the PRELOGIN reply bytes of spec
 * §2.1, LOGIN7 parsing with the "Secret1" password, version negotiation and
 * the login response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "login.h"
#include "net.h"
#include "tokens.h"
#include "types.h"
#include "wire.h"

static void test_prelogin_reply_exact(void **state)
{
    static const uint8_t want[43] = {
        0x04, 0x01, 0x00, 0x2B, 0x00, 0x33, 0x01, 0x00,
        0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01,
        0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22, 0x00, 0x00,
        0x04, 0x00, 0x22, 0x00, 0x01, 0xFF,
        0x10, 0x00, 0x07, 0xD0, 0x00, 0x00, 0x02, 0x00, 0x00};
    struct tds_conn c;
    struct buf b;
    uint8_t got[64];
    int sv[2];
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(net_init(&c, sv[0], 0x33), 0);
    buf_init(&b, 0);
    assert_int_equal(login_prelogin_reply(&b), 0);
    assert_int_equal(b.len, 35);
    assert_int_equal(net_write(&c, b.data, b.len), 0);
    assert_int_equal(net_end(&c), 0);
    assert_int_equal(read(sv[1], got, sizeof(got)), 43);
    assert_memory_equal(got, want, 43);
    buf_free(&b);
    net_close(&c);
    close(sv[1]);
}

static void test_prelogin_parse(void **state)
{
    /* FreeTDS-style: VERSION, ENCRYPTION=ON, INSTOPT "MSSQLServer", THREADID, MARS. */
    static const uint8_t p[] = {
        0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x0C,
        0x03, 0x00, 0x2D, 0x00, 0x04, 0x04, 0x00, 0x31, 0x00, 0x01, 0xFF,
        0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        'M', 'S', 'S', 'Q', 'L', 'S', 'e', 'r', 'v', 'e', 'r', 0,
        0, 0, 0, 0, 0};
    struct tds_prelogin pl;
    (void)state;
    assert_int_equal(login_prelogin_parse(p, sizeof(p), &pl), 0);
    assert_true(pl.has_encryption);
    assert_int_equal(pl.encryption, TDS_ENCRYPT_ON);
    assert_int_not_equal(login_prelogin_parse(p, 12, &pl), 0);
}

/* Append a UTF-16LE copy of ASCII s. */
static void put16(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_append_u16le(b, (uint8_t)*s);
}

static void test_login7_parse(void **state)
{
    /* "Secret1" as the client sends it (spec §3.2). */
    static const uint8_t pw[] = {0x90, 0xA5, 0xF3, 0xA5, 0x93, 0xA5, 0x82, 0xA5,
                                 0xF3, 0xA5, 0xE2, 0xA5, 0xB6, 0xA5};
    const char *strs[] = {"myhost", "sa", NULL, "tsql", "127.0.0.1", NULL, "libtds", "", "shop"};
    static const uint16_t offs[] = {36, 40, 44, 48, 52, 56, 60, 64, 68};
    struct buf b;
    struct arena a;
    struct tds_login7 lg;
    size_t data = 94;
    (void)state;
    buf_init(&b, 0);
    arena_init(&a, 0, 0);
    buf_reserve(&b, 512);
    memset(b.data, 0, 94);
    b.len = 94;
    wire_store_u32(b.data + 4, 0x74000004);
    wire_store_u32(b.data + 8, 8192);
    b.data[27] = 0x10; /* fExtension */
    for (size_t i = 0; i < 9; i++) {
        size_t at = b.len;
        uint16_t cch;
        if (offs[i] == 44) {
            buf_append(&b, pw, sizeof(pw));
            cch = 7;
        } else if (offs[i] == 56) {
            buf_append_u32le(&b, 0); /* patched: ibFeatureExtLong */
            cch = 4;
        } else {
            put16(&b, strs[i]);
            cch = (uint16_t)strlen(strs[i]);
        }
        wire_store_u16(b.data + offs[i], (uint16_t)at);
        wire_store_u16(b.data + offs[i] + 2, cch);
    }
    {
        size_t feat = b.len, ext = (size_t)b.data[56] | ((size_t)b.data[57] << 8);
        static const uint8_t fe[] = {0x0A, 0x01, 0x00, 0x00, 0x00, 0x01, 0xFF};
        buf_append(&b, fe, sizeof(fe));
        wire_store_u32(b.data + ext, (uint32_t)feat);
    }
    wire_store_u32(b.data, (uint32_t)b.len);
    (void)data;
    assert_int_equal(login_parse_login7(b.data, b.len, &a, &lg), 0);
    assert_string_equal(lg.user, "sa");
    assert_string_equal(lg.password, "Secret1");
    assert_string_equal(lg.host, "myhost");
    assert_string_equal(lg.app, "tsql");
    assert_string_equal(lg.database, "shop");
    assert_string_equal(lg.language, "");
    assert_int_equal(lg.packet_size, 8192);
    assert_true(lg.utf8_support);
    assert_false(lg.sspi);
    /* An offset pointing outside the message is rejected. */
    wire_store_u16(b.data + 40, 0xFFF0);
    assert_int_not_equal(login_parse_login7(b.data, b.len, &a, &lg), 0);
    buf_free(&b);
    arena_free(&a);
}

static void test_negotiate(void **state)
{
    int ver;
    (void)state;
    assert_int_equal(login_negotiate(0x74000004, &ver), 0x74000004);
    assert_int_equal(ver, TDS_V74);
    assert_int_equal(login_negotiate(0x730B0003, &ver), 0x730B0003);
    assert_int_equal(ver, TDS_V73);
    assert_int_equal(login_negotiate(0x72090002, &ver), 0x72090002);
    assert_int_equal(ver, TDS_V72);
    assert_int_equal(login_negotiate(0x71000001, &ver), 0x71000001);
    assert_int_equal(ver, TDS_V71);
    assert_int_equal(login_packet_size(100), 512);
    assert_int_equal(login_packet_size(65535), 32767);
}

static bool contains(const struct buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + n <= b->len; i++)
        if (!memcmp(b->data + i, p, n))
            return true;
    return false;
}

static void test_login_response(void **state)
{
    static const uint8_t db[] = {0xE3, 0x1B, 0x00, 0x01, 0x06, 'm', 0, 'a', 0, 's', 0, 't', 0,
                                 'e', 0, 'r', 0, 0x06, 'm', 0, 'a', 0, 's', 0, 't', 0, 'e', 0, 'r', 0};
    static const uint8_t coll[] = {0xE3, 0x08, 0x00, 0x07, 0x05, 0x09, 0x04, 0xD0, 0x00, 0x34, 0x00};
    /* 1 + 4 + 1 + 2*20 + 4 = 0x32 ("Microsoft SQL Server" without the example's NULs). */
    static const uint8_t ack[] = {0xAD, 0x32, 0x00, 0x01, 0x74, 0x00, 0x00, 0x04, 0x14};
    static const uint8_t done[] = {0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(login_response(&b, "master", 0x74000004, TDS_V74, 4096), 0);
    assert_memory_equal(b.data, db, sizeof(db));
    assert_true(contains(&b, coll, sizeof(coll)));
    assert_true(contains(&b, ack, sizeof(ack)));
    assert_memory_equal(b.data + b.len - 13, done, 13);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prelogin_reply_exact),
        cmocka_unit_test(test_prelogin_parse),
        cmocka_unit_test(test_login7_parse),
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_login_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
