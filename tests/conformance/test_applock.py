"""tdslite conformance: application locks (sp_getapplock, sp_releaseapplock,
APPLOCK_MODE, APPLOCK_TEST) through pymssql and FreeTDS tsql, against the
facts of spec/ct-cdc.md Part C and its edge cases 23-30.

Conflicts use two connections; waits, grants after waiting and deadlocks
use threads, each with its own connection (tdslite serves each connection
on its own thread). No expectation depends on how long something takes:
a waiter is given a generous @LockTimeout and the test asserts the return
code it ends with.
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402
from tdslite import raises, run, scalar  # noqa: E402
import pymssql  # noqa: E402

S = None


def setUpModule():
    global S
    S = tdslite.Server().start()
    c = conn()
    run(c, "CREATE DATABASE lockdb2")
    c.close()


def tearDownModule():
    if S:
        S.stop()


def conn(**kw):
    kw.setdefault("autocommit", True)
    return S.connect(**kw)


def get(c, res, mode, owner="Session", timeout=0, extra=""):
    return scalar(c, "DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'%s', @LockMode = '%s', "
                     "@LockOwner = '%s', @LockTimeout = %d%s; SELECT @r" % (res, mode, owner, timeout, extra))


def rel(c, res, owner="Session"):
    return scalar(c, "DECLARE @r int; EXEC @r = sp_releaseapplock @Resource = N'%s', @LockOwner = '%s'; SELECT @r"
                  % (res, owner))


def mode_of(c, res, owner="Session", principal="public"):
    return scalar(c, "SELECT APPLOCK_MODE('%s', N'%s', '%s')" % (principal, res, owner))


def tsql(script):
    p = S.tsql(script, extra=["-o", "q"])
    return ([ln.strip() for ln in p.stdout.decode("utf-8", "replace").splitlines() if ln.strip()],
            p.stderr.decode("utf-8", "replace"))


class Threaded:
    """Run fn(conn) on a thread with its own connection; .result after join."""

    def __init__(self, fn, **kw):
        self.fn, self.kw = fn, kw
        self.result = self.error = None
        self.t = threading.Thread(target=self._run)
        self.t.start()

    def _run(self):
        c = conn(**self.kw)
        try:
            self.result = self.fn(c)
        except Exception as e:  # reported by join()
            self.error = e
        finally:
            c.close()

    def join(self, tc):
        self.t.join(60)
        tc.assertFalse(self.t.is_alive(), "thread did not finish")
        if self.error:
            raise self.error
        return self.result


class EdgeCases(unittest.TestCase):
    """spec/ct-cdc.md, edge cases 23-30."""

    def test_23_transaction_owner_outside_a_transaction(self):
        # -999 and INFO 15626 from sp_getapplock line 52; no exception
        # (pymssql raises for any severity above 6, so tsql shows both)
        out, err = tsql("DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'e23', @LockMode = 'Exclusive';"
                        " SELECT @r AS r, APPLOCK_TEST('public', N'e23', 'Exclusive', 'Session') AS free\ngo\n")
        self.assertEqual(out[-1].split("\t"), ["-999", "1"])
        self.assertIn("Msg 15626 (severity 10, state 1) from", err)
        self.assertIn('Procedure sp_getapplock Line 52:\n\t"You attempted to acquire a transactional application '
                      'lock without an active transaction."', err)
        self.assertNotIn("severity 16", err)
        c = conn()
        m = raises(c, "EXEC sp_getapplock @Resource = N'e23', @LockMode = 'Shared'")
        self.assertEqual((m.number, m.severity), (15626, 10))
        c.close()

    def test_24_releasing_a_lock_not_held(self):
        c = conn()
        m = raises(c, "DECLARE @r int; EXEC @r = sp_releaseapplock @Resource = N'ghost', @LockOwner = 'Session'; "
                      "SELECT @r")
        self.assertEqual((m.number, m.severity), (1223, 16))
        self.assertEqual(m.text, "Cannot release the application lock (Database Principal: 'public', Resource: "
                                 "'ghost') because it is not currently held.")
        run(c, "BEGIN TRAN")
        m = raises(c, "EXEC sp_releaseapplock N'ghost'")
        self.assertEqual(m.number, 1223)
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)  # an error, not a rollback
        run(c, "ROLLBACK")
        c.close()

    def test_25_timeout_zero_conflict(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "e25", "Exclusive"), 0)
        self.assertEqual(get(b, "e25", "Shared", timeout=0), -1)
        self.assertEqual(get(b, "e25", "Exclusive", timeout=0), -1)
        self.assertEqual(mode_of(b, "e25"), "NoLock")
        self.assertEqual(scalar(b, "SELECT APPLOCK_TEST('public', N'e25', 'Shared', 'Session')"), 0)
        self.assertEqual(scalar(a, "SELECT APPLOCK_TEST('public', N'e25', 'Shared', 'Session')"), 1)
        a.close()
        b.close()

    def test_26_wait_then_grant(self):
        a = conn()
        self.assertEqual(get(a, "e26", "Update"), 0)
        w = Threaded(lambda c: (get(c, "e26", "Exclusive", timeout=60000), mode_of(c, "e26")))
        # release only once the waiter is queued: a Shared request fits the
        # granted Update but not the queued Exclusive, so it fails from then on
        probe = conn()
        for _ in range(3000):
            if get(probe, "e26", "Shared", timeout=0) == -1:
                break
            rel(probe, "e26")
            time.sleep(0.01)
        probe.close()
        self.assertEqual(rel(a, "e26"), 0)
        self.assertEqual(w.join(self), (1, "Exclusive"))
        a.close()

    def test_27_deadlock_victim_keeps_its_transaction(self):
        a, b = conn(), conn()
        run(a, "BEGIN TRAN")
        run(b, "BEGIN TRAN")
        self.assertEqual(get(a, "dlA", "Exclusive", owner="Transaction"), 0)
        self.assertEqual(get(b, "dlB", "Exclusive", owner="Transaction"), 0)
        results = {}

        def cross(name, c, want, mine):
            rc = get(c, want, "Exclusive", owner="Transaction", timeout=60000)
            after = None
            if rc == -3:
                # not rolled back: still in the transaction, still holding its lock
                after = (scalar(c, "SELECT @@TRANCOUNT"), mode_of(c, mine, owner="Transaction"))
                run(c, "COMMIT")  # releases `mine`, so the other one gets its lock
            results[name] = (rc, after)

        ta = threading.Thread(target=cross, args=("a", a, "dlB", "dlA"))
        tb = threading.Thread(target=cross, args=("b", b, "dlA", "dlB"))
        ta.start()
        tb.start()
        ta.join(60)
        tb.join(60)
        codes = sorted(r[0] for r in results.values())
        self.assertEqual(codes, [-3, 1])
        victim = [r for r in results.values() if r[0] == -3][0]
        self.assertEqual(victim[1], (1, "Exclusive"))
        for c in (a, b):
            if scalar(c, "SELECT @@TRANCOUNT"):
                run(c, "COMMIT")
        a.close()
        b.close()

    def test_27_deadlock_between_session_locks(self):
        # the probe's shape: the victim gets -3, the survivor keeps waiting
        # until its own timeout (-1), since the victim's locks stay held
        a, b = conn(), conn()
        self.assertEqual(get(a, "dsA", "Exclusive"), 0)
        self.assertEqual(get(b, "dsB", "Exclusive"), 0)
        out = {}
        ta = threading.Thread(target=lambda: out.__setitem__("a", get(a, "dsB", "Exclusive", timeout=3000)))
        tb = threading.Thread(target=lambda: out.__setitem__("b", get(b, "dsA", "Exclusive", timeout=3000)))
        ta.start()
        tb.start()
        ta.join(60)
        tb.join(60)
        self.assertEqual(sorted(out.values()), [-3, -1])
        a.close()
        b.close()

    def test_28_reference_counting(self):
        c = conn()
        self.assertEqual(get(c, "e28", "Exclusive"), 0)
        self.assertEqual(get(c, "e28", "Exclusive"), 0)
        self.assertEqual(rel(c, "e28"), 0)
        self.assertEqual(mode_of(c, "e28"), "Exclusive")
        other = conn()
        self.assertEqual(get(other, "e28", "Shared"), -1)
        self.assertEqual(rel(c, "e28"), 0)
        self.assertEqual(mode_of(c, "e28"), "NoLock")
        self.assertEqual(get(other, "e28", "Shared"), 0)
        self.assertEqual(raises(c, "EXEC sp_releaseapplock N'e28', 'Session'").number, 1223)
        c.close()
        other.close()

    def test_29_session_locks_released_on_disconnect(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "e29", "Exclusive"), 0)
        run(a, "BEGIN TRAN")
        self.assertEqual(get(a, "e29t", "Exclusive", owner="Transaction"), 0)
        run(a, "COMMIT")  # a Session lock outlives the transaction
        self.assertEqual(get(b, "e29", "Exclusive"), -1)
        self.assertEqual(get(b, "e29t", "Exclusive"), 0)
        a.close()
        # the server sees the disconnect asynchronously: wait for the grant
        self.assertIn(get(b, "e29", "Exclusive", timeout=60000), (0, 1))
        b.close()

    def test_29_transaction_lock_of_a_dropped_connection(self):
        a, b = conn(), conn()
        run(a, "BEGIN TRAN")
        self.assertEqual(get(a, "e29x", "Exclusive", owner="Transaction"), 0)
        a.close()  # the open transaction is rolled back, its locks go
        self.assertIn(get(b, "e29x", "Exclusive", timeout=60000), (0, 1))
        b.close()

    def test_30_names_are_binary(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "Foo", "Exclusive"), 0)
        self.assertEqual(mode_of(a, "foo"), "NoLock")
        self.assertEqual(get(b, "foo", "Exclusive"), 0)
        self.assertEqual(get(b, "FOO", "Exclusive"), 0)
        self.assertEqual(get(b, "Foo", "Exclusive"), -1)
        self.assertEqual(get(a, "bar ", "Exclusive"), 0)
        self.assertEqual(mode_of(a, "bar"), "NoLock")
        self.assertEqual(mode_of(a, "bar "), "Exclusive")
        self.assertEqual(get(b, "bar", "Exclusive"), 0)
        self.assertEqual(get(b, "bar ", "Exclusive"), -1)
        # names longer than 255 characters are cut to 255
        x255 = "x" * 255
        self.assertEqual(get(a, x255, "Exclusive"), 0)
        self.assertEqual(get(b, x255 + "y", "Exclusive"), -1)
        self.assertEqual(mode_of(a, x255 + "zzz"), "Exclusive")
        a.close()
        b.close()


class Modes(unittest.TestCase):
    def test_compatibility(self):
        cases = [("Shared", "Shared", 0), ("Shared", "Update", 0), ("Update", "Shared", 0),
                 ("Update", "Update", -1), ("Shared", "Exclusive", -1), ("IntentExclusive", "IntentExclusive", 0),
                 ("IntentShared", "IntentExclusive", 0), ("IntentShared", "Exclusive", -1),
                 ("IntentExclusive", "Shared", -1), ("IntentShared", "Update", 0), ("Exclusive", "IntentShared", -1),
                 ("IntentExclusive", "Update", -1)]
        a, b = conn(), conn()
        for i, (first, second, want) in enumerate(cases):
            res = "cm%d" % i
            self.assertEqual(get(a, res, first), 0)
            self.assertEqual(get(b, res, second), want, "%s then %s" % (first, second))
        a.close()
        b.close()

    def test_modes_are_case_insensitive_and_shown_by_name(self):
        c = conn()
        for m in ("Shared", "Update", "IntentShared", "IntentExclusive", "Exclusive"):
            self.assertEqual(get(c, "nm_" + m, m.lower()), 0)
            self.assertEqual(mode_of(c, "nm_" + m), m)
        c.close()

    def test_union_of_modes(self):
        c = conn()
        for first, second, union in (("Shared", "Exclusive", "Exclusive"),
                                     ("Shared", "IntentExclusive", "SharedIntentExclusive"),
                                     ("Update", "IntentExclusive", "UpdateIntentExclusive"),
                                     ("IntentShared", "Shared", "Shared"), ("Shared", "Update", "Update")):
            res = "un_%s_%s" % (first, second)
            self.assertEqual(get(c, res, first), 0)
            self.assertEqual(get(c, res, second), 0)
            self.assertEqual(mode_of(c, res), union)
            # the union stays until the last release
            self.assertEqual(rel(c, res), 0)
            self.assertEqual(mode_of(c, res), union)
            self.assertEqual(rel(c, res), 0)
            self.assertEqual(mode_of(c, res), "NoLock")
        # a conversion waits for the other holders: S + X is blocked by another S
        other = conn()
        self.assertEqual(get(c, "conv", "Shared"), 0)
        self.assertEqual(get(other, "conv", "Shared"), 0)
        self.assertEqual(get(c, "conv", "Exclusive"), -1)
        self.assertEqual(mode_of(c, "conv"), "Shared")
        c.close()
        other.close()

    def test_queued_requests_are_granted_in_order(self):
        # a new Shared request waits behind a queued Exclusive one
        a, b, d = conn(), conn(), conn()
        self.assertEqual(get(a, "fifo", "Shared"), 0)
        w = Threaded(lambda c: get(c, "fifo", "Exclusive", timeout=60000))
        for _ in range(3000):
            if get(d, "fifo", "Shared", timeout=0) == -1:
                break
            rel(d, "fifo")
            time.sleep(0.01)
        self.assertEqual(get(b, "fifo", "Shared", timeout=0), -1)
        self.assertEqual(rel(a, "fifo"), 0)
        self.assertEqual(w.join(self), 1)
        for c in (a, b, d):
            c.close()


class Owners(unittest.TestCase):
    def test_transaction_locks_end_with_the_transaction(self):
        a, b = conn(), conn()
        for end in ("COMMIT", "ROLLBACK"):
            res = "own_" + end
            run(a, "BEGIN TRAN")
            self.assertEqual(get(a, res, "Exclusive", owner="Transaction"), 0)
            self.assertEqual(mode_of(a, res, owner="Transaction"), "Exclusive")
            self.assertEqual(mode_of(a, res, owner="Session"), "NoLock")
            self.assertEqual(scalar(b, "SELECT APPLOCK_TEST('public', N'%s', 'Exclusive', 'Session')" % res), 0)
            run(a, end)
            self.assertEqual(scalar(b, "SELECT APPLOCK_TEST('public', N'%s', 'Exclusive', 'Session')" % res), 1)
        # nested transactions: released only by the outermost COMMIT
        run(a, "BEGIN TRAN; BEGIN TRAN")
        self.assertEqual(get(a, "own_nested", "Exclusive", owner="Transaction"), 0)
        run(a, "COMMIT")
        self.assertEqual(get(b, "own_nested", "Exclusive"), -1)
        run(a, "COMMIT")
        self.assertEqual(get(b, "own_nested", "Exclusive"), 0)
        a.close()
        b.close()

    def test_default_owner_is_transaction(self):
        c = conn()
        run(c, "BEGIN TRAN")
        self.assertEqual(scalar(c, "DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'defown', "
                                   "@LockMode = 'Exclusive'; SELECT @r"), 0)
        self.assertEqual(mode_of(c, "defown", owner="Transaction"), "Exclusive")
        self.assertEqual(mode_of(c, "defown", owner="Session"), "NoLock")
        run(c, "COMMIT")
        c.close()

    def test_owners_of_one_session_do_not_block_each_other(self):
        c = conn()
        run(c, "BEGIN TRAN")
        self.assertEqual(get(c, "same", "Exclusive"), 0)
        self.assertEqual(get(c, "same", "Exclusive", owner="Transaction"), 0)
        run(c, "COMMIT")
        self.assertEqual(mode_of(c, "same"), "Exclusive")
        c.close()

    def test_default_timeout_is_lock_timeout(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "deftime", "Exclusive"), 0)
        self.assertEqual(scalar(b, "SET LOCK_TIMEOUT 0; DECLARE @r int; EXEC @r = sp_getapplock N'deftime', "
                                   "'Exclusive', 'Session'; SELECT @r"), -1)
        a.close()
        b.close()

    def test_reset_connection_releases_session_locks(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "reset", "Exclusive"), 0)
        self.assertEqual(get(b, "reset", "Exclusive"), -1)
        cur = a.cursor()
        cur.callproc("sp_reset_connection", ())
        self.assertEqual(get(b, "reset", "Exclusive"), 0)
        a.close()
        b.close()

    def test_scope_is_database_and_principal(self):
        a, b = conn(), conn()
        self.assertEqual(get(a, "scoped", "Exclusive"), 0)
        run(b, "USE lockdb2")
        self.assertEqual(get(b, "scoped", "Exclusive"), 0)
        run(b, "USE master")
        self.assertEqual(get(b, "scoped", "Exclusive"), -1)
        self.assertEqual(get(b, "scoped", "Exclusive", extra=", @DbPrincipal = 'dbo'"), 0)
        self.assertEqual(mode_of(b, "scoped", principal="dbo"), "Exclusive")
        self.assertEqual(mode_of(b, "scoped", principal="public"), "NoLock")
        a.close()
        b.close()


class Calls(unittest.TestCase):
    def test_call_forms(self):
        c = conn()
        for i, name in enumerate(("sp_getapplock", "sys.sp_getapplock", "dbo.sp_getapplock",
                                  "master.dbo.sp_getapplock", "master.sys.sp_getapplock")):
            res = "form%d" % i
            self.assertEqual(scalar(c, "DECLARE @r int; EXEC @r = %s N'%s', 'Exclusive', 'Session', 0; SELECT @r"
                                    % (name, res)), 0)
            self.assertEqual(mode_of(c, res), "Exclusive")
            rname = name.replace("getapplock", "releaseapplock")
            self.assertEqual(scalar(c, "DECLARE @r int; EXEC @r = %s @LockOwner = 'Session', @Resource = N'%s'; "
                                       "SELECT @r" % (rname, res)), 0)
        # named arguments in any order, DEFAULT keeps the default owner
        run(c, "BEGIN TRAN")
        self.assertEqual(scalar(c, "DECLARE @r int; EXEC @r = sp_getapplock @LockTimeout = 0, "
                                   "@LockMode = 'Shared', @LockOwner = DEFAULT, @Resource = N'named'; SELECT @r"), 0)
        self.assertEqual(mode_of(c, "named", owner="Transaction"), "Shared")
        run(c, "COMMIT")
        c.close()

    def test_rpc_by_name(self):
        c = conn()
        cur = c.cursor()
        for name in ("sp_getapplock", "sys.sp_getapplock", "master.dbo.sp_getapplock"):
            cur.callproc(name, ("rpc_" + name, "Exclusive", "Session", 0))
            self.assertEqual(cur.returnvalue, 0)
        other = conn()
        ocur = other.cursor()
        ocur.callproc("sp_getapplock", ("rpc_sp_getapplock", "Shared", "Session", 0))
        self.assertEqual(ocur.returnvalue, -1)
        cur.callproc("sp_releaseapplock", ("rpc_sp_getapplock", "Session"))
        self.assertEqual(cur.returnvalue, 0)
        ocur.callproc("sp_getapplock", ("rpc_sp_getapplock", "Shared", "Session", 0))
        self.assertEqual(ocur.returnvalue, 0)
        c.close()
        other.close()

    def test_parameter_errors(self):
        c = conn()
        m = raises(c, "DECLARE @r int; EXEC @r = sp_getapplock @Resource = NULL, @LockMode = 'Exclusive', "
                      "@LockOwner = 'Session'; SELECT @r")
        self.assertEqual((m.number, m.severity, m.state), (1224, 16, 5))
        self.assertEqual(m.text, "An invalid application lock resource was passed to xp_userlock.")
        m = raises(c, "EXEC sp_getapplock @Resource = N'p', @LockMode = 'Exclusive', @LockOwner = 'Session', "
                      "@LockTimeout = -2")
        self.assertEqual((m.number, m.text), (1227, "An invalid application lock time-out was passed to xp_userlock."))
        m = raises(c, "EXEC sp_getapplock @Resource = N'p', @LockOwner = 'Session'")
        self.assertEqual((m.number, m.text), (201, "Procedure or function 'sp_getapplock' expects parameter "
                                                   "'@LockMode', which was not supplied."))
        m = raises(c, "EXEC sp_getapplock @Resource = N'p', @LockMode = 'Exclusive', @LockOwner = 'Session', "
                      "@DbPrincipal = 'nobody'")
        self.assertEqual((m.number, m.text), (1202, "The database-principal 'nobody' does not exist or user is not "
                                                    "a member."))
        m = raises(c, "EXEC sp_getapplock @Resource = N'p', @LockMode = 'Exclusive', @Bogus = 1")
        self.assertEqual((m.number, m.text), (8145, "@Bogus is not a parameter for procedure sp_getapplock."))
        m = raises(c, "EXEC sp_getapplock N'p', 'Exclusive', 'Session', 0, 'public', 6")
        self.assertEqual(m.number, 8144)
        # a missing @Resource (not NULL: absent) is -999 without a message
        self.assertEqual(scalar(c, "DECLARE @r int; EXEC @r = sp_getapplock @LockMode = 'Exclusive', "
                                   "@LockOwner = 'Session'; SELECT @r"), -999)
        c.close()

    def test_bad_option_strings(self):
        out, err = tsql("DECLARE @r int; EXEC @r = sp_getapplock N'opt', 'bogus'; SELECT @r AS a\n"
                        "EXEC @r = sp_getapplock N'opt', 'Exclusive', 'Bogus'; SELECT @r AS b\n"
                        "EXEC @r = sp_releaseapplock N'opt', 'Bogus'; SELECT @r AS c\ngo\n")
        self.assertEqual([ln for ln in out if ln.lstrip("-").isdigit()], ["-999", "-999", "-999"])
        self.assertIn('Procedure sp_getapplock Line 26:\n\t"Option \'bogus\' not recognized for \'@LockMode\' '
                      'parameter."', err)
        self.assertIn('Procedure sp_getapplock Line 39:\n\t"Option \'Bogus\' not recognized for \'@LockOwner\' '
                      'parameter."', err)
        self.assertIn('Procedure sp_releaseapplock Line 20:\n\t"Option \'Bogus\' not recognized for '
                      '\'@LockOwner\' parameter."', err)
        self.assertEqual(err.count("Msg 15625 (severity 10"), 3)

    def test_principal_membership(self):
        c = conn()
        run(c, "CREATE LOGIN lk_user WITH PASSWORD = N'Str0ng!pass'; USE lockdb2; CREATE USER lk_user;"
               " CREATE ROLE lk_role")
        u = S.connect(user="lk_user", password="Str0ng!pass", database="lockdb2", autocommit=True)
        self.assertEqual(get(u, "pm", "Exclusive"), 0)
        m = raises(u, "EXEC sp_getapplock N'pm2', 'Exclusive', 'Session', 0, 'lk_role'")
        self.assertEqual((m.number, m.text), (1202, "The database-principal 'lk_role' does not exist or user is "
                                                    "not a member."))
        run(c, "USE lockdb2; ALTER ROLE lk_role ADD MEMBER lk_user")
        self.assertEqual(get(u, "pm2", "Exclusive", extra=", @DbPrincipal = 'lk_role'"), 0)
        self.assertEqual(mode_of(u, "pm2", principal="lk_role"), "Exclusive")
        u.close()
        c.close()

    def test_cancel_while_waiting(self):
        a = conn()
        self.assertEqual(get(a, "cancel", "Exclusive"), 0)
        # db-lib's query timeout (1 s) gives up while the call waits: the
        # error handler cancels, db-lib marks the DBPROCESS dead and closes
        # the socket (no attention is sent)
        b = S.connect(autocommit=True, timeout=1)
        t0 = time.monotonic()
        with self.assertRaises(pymssql.Error):
            get(b, "cancel", "Exclusive", timeout=-1)
        self.assertLess(time.monotonic() - t0, 30)
        b.close()
        # the abandoned request left nothing behind: once a releases, a
        # third session gets the lock at once (the waiter of the closed
        # connection is neither granted the lock nor queued ahead of d)
        self.assertEqual(rel(a, "cancel"), 0)
        d = conn()
        self.assertEqual(get(d, "cancel", "Exclusive", timeout=0), 0)
        d.close()
        a.close()


class Functions(unittest.TestCase):
    def test_function_errors(self):
        c = conn()
        m = raises(c, "SELECT APPLOCK_MODE('public', N'res', 'Transaction')")
        self.assertEqual((m.number, m.text), (3918, "The statement or function must be executed in the context of "
                                                    "a user transaction."))
        m = raises(c, "SELECT APPLOCK_MODE('public', N'res', 'Nonsense')")
        self.assertEqual((m.number, m.text), (1226, "An invalid application lock owner was passed to applock_mode."))
        m = raises(c, "SELECT APPLOCK_TEST('public', N'res', 'Bogus', 'Session')")
        self.assertEqual((m.number, m.text), (1225, "An invalid application lock mode was passed to applock_test."))
        m = raises(c, "SELECT APPLOCK_MODE(NULL, N'res', 'Session')")
        self.assertEqual((m.number, m.text), (8116, "Argument data type NULL is invalid for argument 1 of "
                                                    "applock_mode function."))
        m = raises(c, "SELECT APPLOCK_TEST('public', N'res', NULL, 'Session')")
        self.assertEqual((m.number, m.text), (8116, "Argument data type NULL is invalid for argument 3 of "
                                                    "applock_test function."))
        m = raises(c, "SELECT APPLOCK_MODE('nobody', N'res', 'Session')")
        self.assertEqual(m.number, 1202)
        self.assertEqual(run(c, "SELECT APPLOCK_MODE('public', N'nothing', 'Session'),"
                                " APPLOCK_TEST('public', N'nothing', 'Exclusive', 'Session')")[0][0], ("NoLock", 1))
        c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
