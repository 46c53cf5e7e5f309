/* testserver: see testserver.h. tdslite's first stdout line,
 * "tdslite: listening on 127.0.0.1:PORT", names the port it bound. */
#include "testserver.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "source/odbc.h"

#define MAX_ARGS 16

/* Start tdslite and fill connstr with an ODBC string for it; -1 if the
 * binary is missing or never reports its port. */
static int start_tdslite(struct testserver *s, const char *password, const char *const *extra,
                         char *connstr, size_t cap)
{
    const char *bd = getenv("SL_BUILD_DIR");
    const char *argv[MAX_ARGS];
    char bin[1024], line[256];
    int fds[2], port = 0, n = 0;
    FILE *f;

    snprintf(bin, sizeof bin, "%s/bin/tdslite", bd ? bd : "build");
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--sa-password";
    argv[n++] = password;
    for (; extra && *extra && n < MAX_ARGS - 1; extra++)
        argv[n++] = *extra;
    argv[n] = NULL;
    if (access(bin, X_OK) != 0 || pipe(fds) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        if (devnull >= 0)
            dup2(devnull, 2); /* keep no pipe of the test's caller open */
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    /* The pipe's read end stays open so tdslite's later writes do not fail. */
    f = fdopen(fds[0], "r");
    if (!f || !fgets(line, sizeof line, f) ||
        sscanf(line, "tdslite: listening on 127.0.0.1:%d", &port) != 1 || port <= 0)
        return -1;
    s->tdslite = true;
    s->port = port;
    snprintf(connstr, cap,
             "Driver={FreeTDS};Server=127.0.0.1;Port=%d;UID=sa;PWD={%s};Database=master;"
             "TDS_Version=7.4;ClientCharset=UTF-8",
             port, password);
    return 0;
}

int testserver_open(struct testserver *s, const char *password, const char *const *extra)
{
    char connstr[1024];
    const char *real = getenv("SLUICE_TEST_MSSQL");
    struct odbc_options opt = {.login_timeout_s = 10, .query_timeout_s = 60};
    struct sl_err err;

    memset(s, 0, sizeof *s);
    if (real && *real)
        snprintf(connstr, sizeof connstr, "%s", real);
    else if (start_tdslite(s, password, extra, connstr, sizeof connstr) != 0)
        return 0; /* no server: every test skips */
    sl_err_clear(&err);
    if (odbc_open(connstr, "test server", &opt, &s->conn, &err) != 0) {
        char b[2048];
        sl_err_format(&err, b, sizeof b);
        fprintf(stderr, "%s\n", b);
        return -1;
    }
    return 0;
}

void testserver_exec(struct testserver *s, const char *sql)
{
    struct sl_err err;
    sl_err_clear(&err);
    if (odbc_exec(s->conn, sql, "test setup", &err) != 0) {
        char b[2048];
        sl_err_format(&err, b, sizeof b);
        fail_msg("%s\nSQL: %s", b, sql);
    }
}

void testserver_close(struct testserver *s)
{
    odbc_close(s->conn);
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        for (int i = 0; i < 50 && waitpid(s->pid, NULL, WNOHANG) == 0; i++)
            usleep(100000);
        if (kill(s->pid, SIGKILL) == 0)
            waitpid(s->pid, NULL, 0);
    }
    memset(s, 0, sizeof *s);
}
