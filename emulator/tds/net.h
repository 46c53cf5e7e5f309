/*
 * net: the TDS packet layer of one connection. Reassembles client messages
 * from packets (any Length 8..65535, whatever was negotiated) into a
 * streaming reader, splits server output into packets of the negotiated size
 * (type 0x04, SPID in every header, packet id from 1, EOM on the last), and
 * notices attention packets that arrive while a response is being written.
 *
 * Owns: the socket (closed by net_close), the input bytes and the packet
 * being assembled. One thread uses a connection at a time.
 *
 * Message cycle, as the session drives it:
 *
 *   net_msg_begin ──▶ reading (tds_rd pulls packets via more()) ──net_msg_drain──▶ idle
 *   net_write* ──▶ (full packets go out as they fill) ──net_end──▶ EOM sent
 *
 * Attention: while output is written the socket is polled for input too
 * (spec pitfall 20), so an attention packet sets `attn` even when the client
 * has stopped reading. Other input seen then stays queued for net_msg_begin.
 */
#ifndef TL_TDS_NET_H
#define TL_TDS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "wire.h"

#define TDS_PKT_SQLBATCH 0x01
#define TDS_PKT_LOGIN42 0x02
#define TDS_PKT_RPC 0x03
#define TDS_PKT_REPLY 0x04
#define TDS_PKT_ATTENTION 0x06
#define TDS_PKT_BULK 0x07
#define TDS_PKT_TM 0x0E
#define TDS_PKT_LOGIN7 0x10
#define TDS_PKT_SSPI 0x11
#define TDS_PKT_PRELOGIN 0x12

#define TDS_ST_EOM 0x01
#define TDS_ST_IGNORE 0x02
#define TDS_ST_RESETCONN 0x08
#define TDS_ST_RESETCONN_SKIPTRAN 0x10

#define TDS_MAX_PACKET 32767

struct tds_conn {
    int fd;
    uint16_t spid;
    size_t pkt_size;     /* outgoing packet size, 512..32767 */
    /* output: one packet being filled, header at out[0..8) */
    uint8_t *out;
    size_t out_len;
    uint8_t out_id;
    /* input: raw bytes received and not yet consumed: in.data[in_pos..in.len) */
    struct buf in;
    size_t in_pos;
    /* the message being read */
    struct buf win;
    uint8_t msg_type;
    uint8_t msg_status; /* status of its first packet */
    bool msg_eom;
    bool msg_ignore;
    bool attn;   /* an attention packet arrived and is not answered yet */
    bool closed; /* peer gone or a write failed: stop writing */
    bool poll_input; /* poll for attention while writing */
};

/* Set up c around a connected socket (takes ownership of fd). */
int net_init(struct tds_conn *c, int fd, uint16_t spid);
/* Close the socket and free buffers. NULL ok. */
void net_close(struct tds_conn *c);

/*
 * Read the first packet of the next message (blocking) and point r at its
 * payload; r pulls the following packets itself. Returns 0, SL_ECLOSED (peer
 * closed cleanly between messages), SL_ECORRUPT or SL_EIO.
 */
int net_msg_begin(struct tds_conn *c, struct tds_rd *r);
/* Skip whatever is left of the current message, up to its EOM. */
int net_msg_drain(struct tds_conn *c, struct tds_rd *r);

/* Append bytes to the response; full packets are sent. 0 or SL_ECLOSED. */
int net_write(struct tds_conn *c, const void *p, size_t n);
/* Send the last packet of the response with EOM. */
int net_end(struct tds_conn *c);
/* Send what is buffered as a non-final packet (fault injection). */
int net_flush(struct tds_conn *c);
/* Discard a response not yet sent (only valid if nothing went out). */
void net_discard(struct tds_conn *c);
/* True if part of the current response already went out. */
bool net_started(const struct tds_conn *c);

/* Look for attention packets without blocking; sets c->attn. */
void net_poll_attention(struct tds_conn *c);

/* Has the peer closed (or reset) the connection? Looks at the socket
 * only, never at c's buffers: safe from another thread while c's own
 * thread is blocked (the fd stays open until that thread closes it). */
bool net_peer_gone(const struct tds_conn *c);

/* Use packet size n for the next response (clamped to 512..32767). */
void net_set_packet_size(struct tds_conn *c, size_t n);

#endif
