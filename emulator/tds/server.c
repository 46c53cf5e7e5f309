/*
 * server: see server.h.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "session.h"

#define SPID_FIRST 51
#define SPID_LIMIT 32768
/* Sessions run the engine's parser and SQLite; 2 MiB leaves room for deep
 * expressions while keeping thousands of connections affordable. */
#define SESSION_STACK ((size_t)2 << 20)

struct server {
    struct engine *engine;
    int fd;
    uint16_t port;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned live;
    int fds[SPID_LIMIT]; /* socket of each live spid, -1 when free */
};

struct conn_arg {
    struct server *srv;
    int fd;
    uint16_t spid;
    char peer[64];
};

int server_open(struct engine *e, const char *bind_addr, uint16_t port, struct server **out,
                struct sl_err *err)
{
    struct server *s = sl_calloc(1, sizeof(*s));
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int one = 1;
    *out = NULL;
    if (!s)
        return sl_err_set(err, SL_ENOMEM, "out of memory");
    s->engine = e;
    s->fd = -1;
    for (int i = 0; i < SPID_LIMIT; i++)
        s->fds[i] = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
        server_close(s);
        return sl_err_set(err, SL_ECONFIG, "bind address \"%s\" is not an IPv4 address",
                          bind_addr);
    }
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s->fd, 128) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&sa, &len) != 0) {
        int rc = sl_err_errno(err, SL_EIO, errno, "cannot listen on %s:%u", bind_addr,
                              (unsigned)port);
        server_close(s);
        return rc;
    }
    s->port = ntohs(sa.sin_port);
    *out = s;
    return 0;
}

uint16_t server_port(const struct server *s)
{
    return s->port;
}

static void release_spid(struct server *s, uint16_t spid);

static void *conn_main(void *p)
{
    struct conn_arg *a = p;
    struct server *s = a->srv;
    session_serve(s->engine, a->fd, a->spid, a->peer);
    /* The socket is closed already; until the slot is cleared its number
     * could be reused, so server_close may at worst shut a new connection
     * down early, which it is about to do anyway. */
    release_spid(s, a->spid);
    sl_free(a);
    return NULL;
}

/* Lowest free spid from 51, registered with its socket; 0 if none. */
static uint16_t take_spid(struct server *s, int fd)
{
    uint16_t spid = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = SPID_FIRST; i < SPID_LIMIT; i++)
        if (s->fds[i] < 0) {
            s->fds[i] = fd;
            s->live++;
            spid = (uint16_t)i;
            break;
        }
    pthread_mutex_unlock(&s->lock);
    return spid;
}

static void release_spid(struct server *s, uint16_t spid)
{
    pthread_mutex_lock(&s->lock);
    s->fds[spid] = -1;
    s->live--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

static void start_session(struct server *s, int fd, const struct sockaddr_in *peer)
{
    struct conn_arg *a = sl_calloc(1, sizeof(*a));
    pthread_attr_t attr;
    pthread_t th;
    int one = 1;
    char ip[INET_ADDRSTRLEN] = "?";
    if (!a) {
        close(fd);
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof(ip));
    a->srv = s;
    a->fd = fd;
    snprintf(a->peer, sizeof(a->peer), "%s:%u", ip, (unsigned)ntohs(peer->sin_port));
    if ((a->spid = take_spid(s, fd)) == 0) {
        sl_log_warn(NULL, "too many connections; refusing %s", a->peer);
        close(fd);
        sl_free(a);
        return;
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, SESSION_STACK);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, conn_main, a) != 0) {
        sl_log_error(NULL, "cannot start a session thread for %s", a->peer);
        release_spid(s, a->spid);
        close(fd);
        sl_free(a);
    }
    pthread_attr_destroy(&attr);
}

int server_run(struct server *s, volatile sig_atomic_t *stop)
{
    while (!*stop) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        struct sockaddr_in peer;
        socklen_t len = sizeof(peer);
        int fd, pr = poll(&pfd, 1, 200);
        if (pr < 0 && errno != EINTR)
            return SL_EIO;
        if (pr <= 0)
            continue;
        fd = accept4(s->fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                sl_log_warn(NULL, "accept: out of file descriptors");
                usleep(100000);
                continue;
            }
            return SL_EIO;
        }
        start_session(s, fd, &peer);
    }
    return 0;
}

void server_close(struct server *s)
{
    struct timespec until;
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    /* Wake every session out of its blocking read; each closes its socket. */
    pthread_mutex_lock(&s->lock);
    for (int i = SPID_FIRST; i < SPID_LIMIT; i++)
        if (s->fds[i] >= 0)
            shutdown(s->fds[i], SHUT_RDWR);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (s->live > 0)
        if (pthread_cond_timedwait(&s->idle, &s->lock, &until) == ETIMEDOUT)
            break;
    if (s->live > 0) {
        /* A session stuck inside the engine: leak rather than free under it. */
        sl_log_warn(NULL, "%u sessions did not finish within 10 s", s->live);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    sl_free(s);
}
