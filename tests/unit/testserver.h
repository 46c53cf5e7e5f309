/*
 * testserver: the server an end-to-end cmocka test talks to through the
 * real ODBC driver, shared by the e2e tests of src/source and src/sink so
 * each test file keeps only what it tests.
 *
 * Owns: choosing the server ($SLUICE_TEST_MSSQL, an ODBC connection string
 * to a real SQL Server, when set; else tdslite started from
 * $SL_BUILD_DIR/bin/tdslite on a free port), starting and stopping that
 * tdslite process, and the one ODBC connection the test uses. What the
 * test creates on the server (databases, tables) stays the test's.
 *
 * Lifecycle (cmocka group setup/teardown call these):
 *   (zeroed) --testserver_open--> conn != NULL (connected)
 *                             \-> conn == NULL (no server: tests skip)
 *   either --testserver_close--> (zeroed: connection closed, tdslite gone)
 */
#ifndef SL_TESTS_TESTSERVER_H
#define SL_TESTS_TESTSERVER_H

#include <stdbool.h>
#include <sys/types.h>

struct odbc_conn;

struct testserver {
    pid_t pid;              /* tdslite's process, 0 when none was started */
    bool tdslite;           /* true: conn talks to the tdslite started here */
    int port;               /* tdslite's port (for a second login), else 0 */
    struct odbc_conn *conn; /* NULL: no server available, tests skip */
};

/*
 * Zero *s, then connect to $SLUICE_TEST_MSSQL, or start tdslite with
 * `--port 0 --sa-password password` plus the NULL-terminated `extra`
 * arguments (may be NULL) and connect to it as sa with the FreeTDS driver.
 * Returns 0 when connected, and also when neither server is available
 * (s->conn stays NULL); -1, with the driver's message on stderr, when a
 * server is there but the connection fails. A started tdslite dies with the
 * test process (PR_SET_PDEATHSIG).
 */
int testserver_open(struct testserver *s, const char *password, const char *const *extra);

/*
 * Run sql (a setup batch, its results discarded) on s->conn; a failure
 * fails the calling test (cmocka) with the driver's message and the SQL.
 */
void testserver_exec(struct testserver *s, const char *sql);

/*
 * Close the connection (if any) and stop the tdslite started by
 * testserver_open: SIGTERM, up to 5 s to exit, then SIGKILL. Leaves *s
 * zeroed. Accepts a server that never connected.
 */
void testserver_close(struct testserver *s);

#endif
