/* Unit tests for emulator/tds net.c and wire.c: message reassembly across
 * packet boundaries, the IGNORE bit, the packet writer and attention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "net.h"
#include "wire.h"

struct pair {
    struct tds_conn c;
    int peer;
};

static void pair_open(struct pair *p, uint16_t spid)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(net_init(&p->c, sv[0], spid), 0);
    p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
    net_close(&p->c);
    close(p->peer);
}

/* Send one client packet: type, status, payload. */
static void send_pkt(int fd, uint8_t type, uint8_t status, const uint8_t *p, size_t n)
{
    uint8_t h[8] = {type, status, (uint8_t)((n + 8) >> 8), (uint8_t)(n + 8), 0, 0, 1, 0};
    assert_int_equal(write(fd, h, 8), 8);
    if (n)
        assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void test_reassembly(void **state)
{
    /* Payload 01 02 03 04 | 05 06 | 07 08 09: a u32 and a u64 both span packets. */
    static const uint8_t a[] = {0xAA, 0x01, 0x02, 0x03}, b[] = {0x04, 0x05},
                         c[] = {0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D};
    struct pair p;
    struct tds_rd r;
    (void)state;
    pair_open(&p, 51);
    send_pkt(p.peer, TDS_PKT_SQLBATCH, 0, a, sizeof(a));
    send_pkt(p.peer, TDS_PKT_SQLBATCH, 0, b, sizeof(b));
    send_pkt(p.peer, TDS_PKT_SQLBATCH, TDS_ST_EOM, c, sizeof(c));
    assert_int_equal(net_msg_begin(&p.c, &r), 0);
    assert_int_equal(p.c.msg_type, TDS_PKT_SQLBATCH);
    assert_int_equal(wire_u8(&r), 0xAA);
    assert_int_equal(wire_u32(&r), 0x04030201u);
    assert_true(wire_u64(&r) == UINT64_C(0x0C0B0A0908070605));
    assert_int_equal(wire_u8(&r), 0x0D);
    assert_int_equal(r.err, 0);
    assert_true(wire_at_end(&r));
    /* Reading past the end is a sticky error, not a hang. */
    assert_int_equal(wire_u8(&r), 0);
    assert_int_equal(r.err, SL_ECORRUPT);
    pair_close(&p);
}

static void test_max_length_packet_and_ignore(void **state)
{
    static uint8_t big[65535 - 8];
    struct pair p;
    struct tds_rd r;
    struct buf all;
    (void)state;
    memset(big, 0x5A, sizeof(big));
    pair_open(&p, 51);
    buf_init(&all, 0);
    /* A 65535-byte packet is accepted whatever the negotiated size. Write
     * from a child-free loop: the socket buffer may be smaller than the
     * packet, so send in the background with a second socket writer. */
    if (fork() == 0) {
        send_pkt(p.peer, TDS_PKT_SQLBATCH, 0, big, sizeof(big));
        send_pkt(p.peer, TDS_PKT_SQLBATCH, TDS_ST_EOM | TDS_ST_IGNORE, big, 10);
        _exit(0);
    }
    assert_int_equal(net_msg_begin(&p.c, &r), 0);
    assert_non_null(wire_bytes(&r, sizeof(big) + 5));
    assert_int_equal(net_msg_drain(&p.c, &r), 0);
    assert_true(p.c.msg_eom);
    assert_true(p.c.msg_ignore);
    buf_free(&all);
    pair_close(&p);
}

static void test_writer_packets(void **state)
{
    static uint8_t data[1200];
    uint8_t got[2000];
    size_t n = 0;
    struct pair p;
    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)i;
    pair_open(&p, 0x1234);
    net_set_packet_size(&p.c, 100); /* clamped to 512 */
    assert_int_equal(p.c.pkt_size, 512);
    assert_int_equal(net_write(&p.c, data, sizeof(data)), 0);
    assert_int_equal(net_end(&p.c), 0);
    while (n < 1200 + 3 * 8) {
        ssize_t k = read(p.peer, got + n, sizeof(got) - n);
        assert_true(k > 0);
        n += (size_t)k;
    }
    assert_int_equal(n, 1224);
    /* Packet 1: 512 bytes, status 0, SPID 0x1234, id 1. */
    {
        static const uint8_t h1[] = {0x04, 0x00, 0x02, 0x00, 0x12, 0x34, 0x01, 0x00};
        static const uint8_t h2[] = {0x04, 0x00, 0x02, 0x00, 0x12, 0x34, 0x02, 0x00};
        static const uint8_t h3[] = {0x04, 0x01, 0x00, 0xC8, 0x12, 0x34, 0x03, 0x00};
        assert_memory_equal(got, h1, 8);
        assert_memory_equal(got + 512, h2, 8);
        assert_memory_equal(got + 1024, h3, 8);
        assert_memory_equal(got + 8, data, 504);
        assert_memory_equal(got + 1032, data + 1008, 192);
    }
    pair_close(&p);
}

static void test_attention_seen_while_idle_and_streaming(void **state)
{
    struct pair p;
    struct tds_rd r;
    (void)state;
    pair_open(&p, 51);
    send_pkt(p.peer, TDS_PKT_ATTENTION, TDS_ST_EOM, NULL, 0);
    /* Polled during a response: consumed and flagged. */
    net_poll_attention(&p.c);
    assert_true(p.c.attn);
    /* A following request stays queued for net_msg_begin. */
    p.c.attn = false;
    send_pkt(p.peer, TDS_PKT_SQLBATCH, TDS_ST_EOM, (const uint8_t *)"x\0", 2);
    net_poll_attention(&p.c);
    assert_false(p.c.attn);
    assert_int_equal(net_msg_begin(&p.c, &r), 0);
    assert_int_equal(p.c.msg_type, TDS_PKT_SQLBATCH);
    assert_int_equal(wire_u16(&r), 'x');
    pair_close(&p);
}

static void test_strings(void **state)
{
    struct buf b, out;
    struct tds_rd r;
    static const uint8_t want[] = {0x02, 'h', 0, 'i', 0};
    (void)state;
    buf_init(&b, 0);
    buf_init(&out, 0);
    assert_int_equal(wire_put_bvarchar(&b, "hi"), 0);
    assert_memory_equal(b.data, want, sizeof(want));
    wire_rd_init(&r, b.data, b.len);
    assert_int_equal(wire_get_bvarchar(&r, &out), 0);
    assert_string_equal((const char *)out.data, "hi");
    buf_free(&b);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reassembly),
        cmocka_unit_test(test_max_length_packet_and_ignore),
        cmocka_unit_test(test_writer_packets),
        cmocka_unit_test(test_attention_seen_while_idle_and_streaming),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
