/*
 * tdslite: command-line entry of the SQL Server stand-in. Parses flags,
 * opens the engine, listens, prints the one "listening" line test harnesses
 * wait for, and serves until SIGINT/SIGTERM.
 *
 * The stop flag is the program's one mutable global: a signal handler may
 * only set a volatile sig_atomic_t (STYLE rule 15).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "engine.h"
#include "server.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fputs("usage: tdslite --port N [--bind ADDR] [--data DIR] [--sa-password PW]\n"
          "               [--fault-drop-after-rows N] [--fault-delay-ms N]\n"
          "               [--fault-refuse-logins] [--cdc-capture-delay-ms N] [-v]\n"
          "\n"
          "A SQL Server stand-in speaking TDS 7.4 over SQLite.\n"
          "  --port N                 TCP port (0 = pick a free one)\n"
          "  --bind ADDR              IPv4 address to listen on (default 127.0.0.1)\n"
          "  --data DIR               keep databases in DIR (default: in memory)\n"
          "  --sa-password PW         password of the sa login\n"
          "                           (default: $TDSLITE_SA_PASSWORD)\n"
          "  --fault-drop-after-rows N  close the socket after N rows of a response\n"
          "  --fault-delay-ms N       sleep N ms before answering each request\n"
          "  --fault-refuse-logins    answer every login with error 18456\n"
          "  --cdc-capture-delay-ms N run the CDC capture job every N ms (default 500;\n"
          "                           0 = only EXEC tdslite.cdc_capture captures)\n"
          "  -v                       verbose log (repeat for debug)\n"
          "  --help                   this text\n",
          f);
}

/* Report a usage error (what, then the offending argument) and return 2. */
static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "tdslite: %s%s\ntry 'tdslite --help'\n", what, arg);
    return 2;
}

/* Parse a non-negative decimal integer no larger than max. */
static int parse_num(const char *s, long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

struct options {
    long port;
    const char *bind;
    const char *data;
    const char *sa_password;
    long drop_after_rows, delay_ms, cdc_delay_ms;
    int refuse_logins;
    int verbose;
};

/* Returns -1 to continue, else the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
    o->port = -1;
    o->bind = "127.0.0.1";
    o->cdc_delay_ms = 500;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long *num = NULL, max = INT_MAX;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose++;
            continue;
        } else if (!strcmp(a, "-vv")) {
            o->verbose += 2;
            continue;
        } else if (!strcmp(a, "--fault-refuse-logins")) {
            o->refuse_logins = 1;
            continue;
        }
        if (i + 1 >= argc) {
            if (!strcmp(a, "--port") || !strcmp(a, "--bind") || !strcmp(a, "--data") ||
                !strcmp(a, "--sa-password") || !strncmp(a, "--fault-", 8) ||
                !strcmp(a, "--cdc-capture-delay-ms"))
                return bad("missing value for option ", a);
            return bad("unknown option ", a);
        }
        if (!strcmp(a, "--port"))
            num = &o->port, max = 65535;
        else if (!strcmp(a, "--fault-drop-after-rows"))
            num = &o->drop_after_rows, max = LONG_MAX;
        else if (!strcmp(a, "--fault-delay-ms"))
            num = &o->delay_ms;
        else if (!strcmp(a, "--cdc-capture-delay-ms"))
            num = &o->cdc_delay_ms;
        else if (!strcmp(a, "--bind"))
            o->bind = argv[i + 1];
        else if (!strcmp(a, "--data"))
            o->data = argv[i + 1];
        else if (!strcmp(a, "--sa-password"))
            o->sa_password = argv[i + 1];
        else
            return bad("unknown option ", a);
        if (num && parse_num(argv[i + 1], max, num) != 0) {
            fprintf(stderr, "tdslite: %s: invalid value \"%s\"\n", a, argv[i + 1]);
            return 2;
        }
        i++;
    }
    if (o->port < 0)
        return bad("--port is required", "");
    if (!o->sa_password)
        o->sa_password = getenv("TDSLITE_SA_PASSWORD");
    if (!o->sa_password || !*o->sa_password)
        return bad("no sa password: give --sa-password or set TDSLITE_SA_PASSWORD", "");
    return -1;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    struct engine_config cfg = {0};
    struct engine *eng = NULL;
    struct server *srv = NULL;
    struct sl_err err;
    struct sigaction sa;
    struct tl_faults *f;
    char msg[2048];
    int rc, status = 1;

    if ((rc = parse_args(argc, argv, &o)) >= 0)
        return rc;
    sl_log_setup(o.verbose >= 2 ? SL_LOG_DEBUG : o.verbose ? SL_LOG_INFO : SL_LOG_WARN, NULL);
    sl_err_clear(&err);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cfg.data_dir = o.data;
    cfg.sa_password = o.sa_password;
    cfg.cdc_capture_delay_ms = (unsigned)o.cdc_delay_ms;
    if ((rc = engine_open(&cfg, &eng, &err)) != 0)
        goto fail;
    f = engine_faults(eng);
    atomic_store(&f->drop_after_rows, o.drop_after_rows);
    atomic_store(&f->delay_ms, (int)o.delay_ms);
    atomic_store(&f->refuse_logins, o.refuse_logins);
    if ((rc = server_open(eng, o.bind, (uint16_t)o.port, &srv, &err)) != 0)
        goto fail;
    printf("tdslite: listening on %s:%u\n", o.bind, (unsigned)server_port(srv));
    fflush(stdout);
    sl_log_info(NULL, "data: %s", o.data ? o.data : "(in memory)");
    if (server_run(srv, &stop_flag) != 0)
        sl_log_error(NULL, "accept failed; shutting down");
    sl_log_info(NULL, "shutting down");
    status = 0;
    goto out;
fail:
    sl_err_format(&err, msg, sizeof(msg));
    fprintf(stderr, "tdslite: %s\n", msg);
out:
    server_close(srv);
    engine_close(eng);
    return status;
}
