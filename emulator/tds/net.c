/*
 * net: see net.h.
 */
#include "net.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"

/* A message window never needs more than one large value plus a packet;
 * 1 GiB bounds a hostile client. */
#define WIN_LIMIT ((size_t)1 << 30)

int net_init(struct tds_conn *c, int fd, uint16_t spid)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->spid = spid;
    c->pkt_size = 4096;
    buf_init(&c->in, 1 << 20);
    buf_init(&c->win, WIN_LIMIT);
    c->out = sl_malloc(TDS_MAX_PACKET + 1);
    if (!c->out)
        return SL_ENOMEM;
    c->out_len = 8;
    c->out_id = 1;
    return 0;
}

void net_close(struct tds_conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    buf_free(&c->in);
    buf_free(&c->win);
    sl_free(c->out);
    c->out = NULL;
}

void net_set_packet_size(struct tds_conn *c, size_t n)
{
    c->pkt_size = n < 512 ? 512 : n > TDS_MAX_PACKET ? TDS_MAX_PACKET : n;
}

/* ---- input ---- */

static void compact_in(struct tds_conn *c)
{
    if (c->in_pos == 0)
        return;
    memmove(c->in.data, c->in.data + c->in_pos, c->in.len - c->in_pos);
    buf_truncate(&c->in, c->in.len - c->in_pos);
    c->in_pos = 0;
}

/* recv once into c->in. Returns bytes read, 0 on orderly close, <0 on error. */
static ssize_t recv_some(struct tds_conn *c, int flags)
{
    ssize_t got;
    if (c->in.len - c->in_pos == 0 || c->in_pos > 65536)
        compact_in(c);
    if (buf_reserve(&c->in, 65536) != 0)
        return -1;
    do {
        got = recv(c->fd, c->in.data + c->in.len, 65536, flags);
    } while (got < 0 && errno == EINTR);
    if (got > 0)
        c->in.len += (size_t)got;
    return got;
}

/* Ensure n unconsumed input bytes (blocking). */
static int fill_in(struct tds_conn *c, size_t n)
{
    while (c->in.len - c->in_pos < n) {
        ssize_t got = recv_some(c, 0);
        if (got == 0)
            return SL_ECLOSED;
        if (got < 0)
            return SL_EIO;
    }
    return 0;
}

/* Read one whole packet; *payload borrows c->in until the next read. */
static int read_packet(struct tds_conn *c, uint8_t hdr[8], const uint8_t **payload, size_t *plen)
{
    size_t len;
    int rc = fill_in(c, 8);
    if (rc)
        return rc;
    memcpy(hdr, c->in.data + c->in_pos, 8);
    len = ((size_t)hdr[2] << 8) | hdr[3];
    if (len < 8)
        return SL_ECORRUPT;
    if ((rc = fill_in(c, len)) != 0)
        return rc == SL_ECLOSED ? SL_ECORRUPT : rc;
    *payload = c->in.data + c->in_pos + 8;
    *plen = len - 8;
    c->in_pos += len;
    return 0;
}

static int window_more(struct tds_rd *r)
{
    struct tds_conn *c = r->ctx;
    uint8_t hdr[8];
    const uint8_t *p;
    size_t n, unread = r->n - r->pos;
    int rc;
    if (c->msg_eom)
        return SL_ECORRUPT;
    if ((rc = read_packet(c, hdr, &p, &n)) != 0)
        return rc;
    if (hdr[1] & TDS_ST_EOM)
        c->msg_eom = true;
    if (hdr[1] & TDS_ST_IGNORE)
        c->msg_ignore = true;
    /* Keep only the unread tail, then add the new payload. */
    memmove(c->win.data, c->win.data + r->pos, unread);
    buf_truncate(&c->win, unread);
    if ((rc = buf_append(&c->win, p, n)) != 0)
        return rc;
    r->p = c->win.data;
    r->n = c->win.len;
    r->pos = 0;
    return 0;
}

int net_msg_begin(struct tds_conn *c, struct tds_rd *r)
{
    uint8_t hdr[8];
    const uint8_t *p;
    size_t n;
    int rc = read_packet(c, hdr, &p, &n);
    if (rc)
        return rc;
    c->msg_type = hdr[0];
    c->msg_status = hdr[1];
    c->msg_eom = (hdr[1] & TDS_ST_EOM) != 0;
    c->msg_ignore = (hdr[1] & TDS_ST_IGNORE) != 0;
    buf_reset(&c->win);
    if ((rc = buf_append(&c->win, p, n)) != 0)
        return rc;
    wire_rd_init(r, c->win.data, c->win.len);
    r->more = window_more;
    r->ctx = c;
    return 0;
}

int net_msg_drain(struct tds_conn *c, struct tds_rd *r)
{
    while (!c->msg_eom) {
        uint8_t hdr[8];
        const uint8_t *p;
        size_t n;
        int rc = read_packet(c, hdr, &p, &n);
        if (rc)
            return rc;
        if (hdr[1] & TDS_ST_EOM)
            c->msg_eom = true;
        if (hdr[1] & TDS_ST_IGNORE)
            c->msg_ignore = true;
    }
    if (r)
        r->pos = r->n;
    return 0;
}

void net_poll_attention(struct tds_conn *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (c->closed || c->fd < 0)
        return;
    if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t got = recv_some(c, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            c->closed = true;
            return;
        }
    }
    /* Consume leading attention packets; anything else waits for net_msg_begin. */
    while (c->in.len - c->in_pos >= 8) {
        const uint8_t *h = c->in.data + c->in_pos;
        size_t len = ((size_t)h[2] << 8) | h[3];
        if (h[0] != TDS_PKT_ATTENTION || len < 8 || c->in.len - c->in_pos < len)
            break;
        c->in_pos += len;
        c->attn = true;
    }
}

bool net_peer_gone(const struct tds_conn *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLRDHUP};
    if (c->fd < 0)
        return true;
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* ---- output ---- */

static int send_all(struct tds_conn *c, const uint8_t *p, size_t n)
{
    while (n > 0) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLOUT | (c->poll_input ? POLLIN : 0)};
        ssize_t put;
        if (c->closed)
            return SL_ECLOSED;
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            c->closed = true;
            return SL_ECLOSED;
        }
        if (pfd.revents & POLLIN)
            net_poll_attention(c);
        if (pfd.revents & (POLLERR | POLLNVAL)) {
            c->closed = true;
            return SL_ECLOSED;
        }
        if (!(pfd.revents & (POLLOUT | POLLHUP)))
            continue;
        put = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (put < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            c->closed = true;
            return SL_ECLOSED;
        }
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

static int send_packet(struct tds_conn *c, uint8_t status)
{
    int rc;
    c->out[0] = TDS_PKT_REPLY;
    c->out[1] = status;
    wire_store_u16be(c->out + 2, (uint16_t)c->out_len);
    wire_store_u16be(c->out + 4, c->spid);
    c->out[6] = c->out_id++;
    c->out[7] = 0;
    rc = send_all(c, c->out, c->out_len);
    c->out_len = 8;
    return rc;
}

int net_write(struct tds_conn *c, const void *p, size_t n)
{
    const uint8_t *s = p;
    while (n > 0) {
        size_t room = c->pkt_size - c->out_len, take;
        int rc;
        if (room == 0) {
            if ((rc = send_packet(c, 0)) != 0)
                return rc;
            continue;
        }
        take = n < room ? n : room;
        memcpy(c->out + c->out_len, s, take);
        c->out_len += take;
        s += take;
        n -= take;
    }
    return c->closed ? SL_ECLOSED : 0;
}

int net_end(struct tds_conn *c)
{
    int rc = send_packet(c, TDS_ST_EOM);
    c->out_id = 1;
    return rc;
}

int net_flush(struct tds_conn *c)
{
    return c->out_len > 8 ? send_packet(c, 0) : 0;
}

void net_discard(struct tds_conn *c)
{
    c->out_len = 8;
    c->out_id = 1;
}

bool net_started(const struct tds_conn *c)
{
    return c->out_id != 1;
}
