"""Harness for the tdslite conformance tests (Python side).

Starts `$SL_BUILD_DIR/bin/tdslite --port 0 --data <tempdir> --sa-password PW`,
waits for its one stdout line `tdslite: listening on 127.0.0.1:PORT`, and
kills it and removes the temp directory at exit. Also runs FreeTDS's `tsql`
and `freebcp` with a private freetds.conf, and opens pymssql connections
with the settings spec/tds.md §11 prescribes for a server without TLS.

The tests assert what a real SQL Server returns; the harness itself holds no
tdslite-specific knowledge beyond the command line and the ready line.

Not a test file (ctest only runs test_*.py); test files import it with
`sys.path.insert(0, os.path.dirname(__file__))`.
"""

import atexit
import ctypes
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASSWORD = "Sluice_Test_Pw1"
READY_RE = re.compile(r"^tdslite: listening on ([0-9.]+):([0-9]+)\s*$")
START_TIMEOUT = 20.0

_live_servers = []


def build_dir():
    d = os.environ.get("SL_BUILD_DIR")
    if not d:
        here = os.path.dirname(os.path.abspath(__file__))
        d = os.path.join(os.path.dirname(os.path.dirname(here)), "build")
    return d


def tdslite_binary():
    return os.path.join(build_dir(), "bin", "tdslite")


def _set_pdeathsig():
    """Child side of Popen: die with SIGKILL when the test process dies, so
    a crashed or killed test never leaves a server behind."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    """One tdslite process. Use as a context manager or call start()/stop()."""

    def __init__(self, args=(), data=True, password=PASSWORD):
        self.args = list(args)
        self.data = data
        self.password = password
        self.proc = None
        self.host = None
        self.port = None
        self.tmp = None
        self.data_dir = None
        self.stderr_path = None
        self._conf = None

    # -- lifecycle -------------------------------------------------------
    def start(self):
        binary = tdslite_binary()
        if not os.access(binary, os.X_OK):
            raise RuntimeError("tdslite binary not found at %s (build the tdslite target)" % binary)
        self.tmp = tempfile.mkdtemp(prefix="tdslite-conf-")
        cmd = [binary, "--port", "0", "--sa-password", self.password]
        if self.data:
            self.data_dir = os.path.join(self.tmp, "data")
            os.mkdir(self.data_dir)
            cmd += ["--data", self.data_dir]
        cmd += self.args
        self.stderr_path = os.path.join(self.tmp, "tdslite.stderr")
        errf = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf,
                                     stdin=subprocess.DEVNULL, preexec_fn=_set_pdeathsig)
        errf.close()
        _live_servers.append(self)
        line = self._read_ready_line()
        m = READY_RE.match(line)
        if not m:
            self.stop()
            raise RuntimeError("tdslite printed %r, expected 'tdslite: listening on 127.0.0.1:PORT'" % line)
        self.host, self.port = m.group(1), int(m.group(2))
        return self

    def _read_ready_line(self):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + START_TIMEOUT
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise RuntimeError("tdslite did not print its listening line within %.0fs; stderr: %s"
                                   % (START_TIMEOUT, self.stderr_tail()))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    rc = self.proc.wait()
                    raise RuntimeError("tdslite exited (rc=%s) before listening; stderr: %s"
                                       % (rc, self.stderr_tail()))
                buf += chunk
        return buf.split(b"\n", 1)[0].decode("utf-8", "replace")

    def stderr_tail(self, n=2000):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self in _live_servers:
            _live_servers.remove(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    # -- FreeTDS configuration ------------------------------------------
    def freetds_env(self):
        """Environment for FreeTDS clients (tsql, freebcp, pymssql/db-lib).

        spec/tds.md §2.2/§11: `encryption = off` makes FreeTDS send NOT_SUP
        in PRELOGIN (the default `request` sends OFF); TDS 7.4; UTF-8 client
        charset so nvarchar round-trips non-BMP characters."""
        if self._conf is None:
            self._conf = os.path.join(self.tmp, "freetds.conf")
            with open(self._conf, "w") as f:
                f.write("[global]\n"
                        "\ttds version = 7.4\n"
                        "\tencryption = off\n"
                        "\tclient charset = UTF-8\n"
                        "\n[tdslite]\n"
                        "\thost = %s\n\tport = %d\n"
                        "\ttds version = 7.4\n"
                        "\tencryption = off\n"
                        "\tclient charset = UTF-8\n" % (self.host, self.port))
        env = dict(os.environ)
        env["FREETDSCONF"] = self._conf
        env["TDSVER"] = "7.4"
        env.pop("TDSDUMP", None)
        if os.environ.get("SL_TDSDUMP"):
            env["TDSDUMP"] = os.environ["SL_TDSDUMP"]
        return env

    def apply_freetds_env(self):
        """pymssql reads FREETDSCONF/TDSVER from this process's environment."""
        env = self.freetds_env()
        os.environ["FREETDSCONF"] = env["FREETDSCONF"]
        os.environ["TDSVER"] = "7.4"

    # -- clients ----------------------------------------------------------
    def connect(self, **kw):
        """A pymssql connection.

        Debian's pymssql 2.2.2 has no `encryption` keyword and rejects
        tds_version='7.4' ("unrecognized tds version"); with tds_version
        left at None, db-lib takes `tds version = 7.4` and `encryption = off`
        from the private freetds.conf (checked: LOGIN7 carries 0x74000004 and
        PRELOGIN ENCRYPTION = NOT_SUP)."""
        import pymssql
        self.apply_freetds_env()
        args = dict(server=self.host, port=str(self.port), user="sa", password=self.password,
                    login_timeout=10, timeout=60)
        args.update(kw)
        return pymssql.connect(**args)

    def failed_login(self, **kw):
        """(exception class name, MsgInfo) of a pymssql login with these
        connect() arguments, made in a fresh process (see _login_probe);
        (None, None) if the login succeeded."""
        return _login_probe(self, **kw)

    def sql(self, sql, database=None):
        """Run one batch on a fresh autocommit connection; returns all rows of
        the last result set (or None)."""
        kw = {"autocommit": True}
        if database:
            kw["database"] = database
        conn = self.connect(**kw)
        try:
            return last_rows(conn.cursor(), sql)
        finally:
            conn.close()

    def tsql(self, script, user="sa", password=None, database=None, timeout=60, extra=()):
        """Run `tsql -S host:port -U sa -P pw [-D db]` with `script` on stdin."""
        cmd = ["tsql", "-S", "%s:%d" % (self.host, self.port), "-U", user,
               "-P", self.password if password is None else password]
        if database:
            cmd += ["-D", database]
        cmd += list(extra)
        return subprocess.run(cmd, input=script.encode("utf-8"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=self.freetds_env(), timeout=timeout)

    def freebcp(self, table, direction, path, extra=(), user="sa", password=None, timeout=120):
        """Run `freebcp TABLE in|out|queryout FILE -S host:port -U sa -P pw ...`."""
        cmd = ["freebcp", table, direction, path, "-S", "%s:%d" % (self.host, self.port),
               "-U", user, "-P", self.password if password is None else password] + list(extra)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.freetds_env(), timeout=timeout)


# -- running batches on a pymssql connection ------------------------------
def results(cur, sql, params=None):
    """Execute one batch on pymssql cursor `cur`; every result set it
    returned, in order (a list of lists of rows)."""
    if params is None:
        cur.execute(sql)
    else:
        cur.execute(sql, params)
    out = []
    while True:
        if cur.description is not None:
            out.append(cur.fetchall())
        if not cur.nextset():
            break
    return out


def last_rows(cur, sql, params=None):
    """Rows of the last result set of a batch (None if it returned none)."""
    sets = results(cur, sql, params)
    return sets[-1] if sets else None


def run(c, sql):
    """All result sets of a batch on connection `c` (list of lists of rows)."""
    return results(c.cursor(), sql)


def scalar(c, sql):
    """First column of the first row of the batch's last result set."""
    return run(c, sql)[-1][0][0]


def raised(c, sql):
    """The pymssql exception a batch raises (fails the test if none)."""
    import pymssql
    cur = c.cursor()
    try:
        cur.execute(sql)
        while cur.nextset():
            pass
    except pymssql.Error as e:
        return e
    raise AssertionError("no error raised for %r" % sql)


def raises(c, sql):
    """The server message (MsgInfo) behind the error a batch raises."""
    return mssql_error(raised(c, sql))


def _cleanup():
    for s in list(_live_servers):
        s.stop()


atexit.register(_cleanup)


def _on_signal(signum, frame):
    _cleanup()
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except (ValueError, OSError):
        pass


class MsgInfo:
    """number/severity/state/line/text of the server message pymssql raised."""

    def __init__(self, number, severity, state, line, text):
        self.number, self.severity, self.state, self.line, self.text = number, severity, state, line, text

    def __repr__(self):
        return "Msg %s, Level %s, State %s, Line %s: %s" % (self.number, self.severity, self.state,
                                                             self.line, self.text)


def _s(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return "" if v is None else str(v)


DBLIB_SUFFIX = "DB-Lib error message "


def server_text(text):
    """The server's message text without what db-lib/pymssql append to it.

    pymssql's err_handler appends "DB-Lib error message N, severity S:\n
    <db-lib text>\n" (20018 "General SQL Server error: Check messages from
    the SQL Server" for every server message of severity > 10, 20002
    "Adaptive Server connection failed" after a failed login) to the text of
    the message it keeps, against a real SQL Server as much as against
    tdslite. The server's own text never contains that marker."""
    i = text.find(DBLIB_SUFFIX)
    return text if i < 0 else text[:i]


def mssql_error(exc):
    """The server message behind a pymssql exception.

    pymssql 2.2's Cursor.execute catches _mssql.MSSQLDatabaseException (which
    keeps number/severity/state/line/text of the *most severe* message of the
    request, the first one on ties) and re-raises a DB-API exception, so the
    original is exc.__context__. Falls back to args (number, message bytes).
    The text is the server's text only (see server_text)."""
    for obj in (exc, exc.__cause__, exc.__context__):
        if obj is not None and hasattr(obj, "severity") and hasattr(obj, "number"):
            return MsgInfo(obj.number, obj.severity, obj.state, getattr(obj, "line", None),
                           server_text(_s(getattr(obj, "text", ""))))
    args = exc.args
    if len(args) == 1 and isinstance(args[0], tuple):
        args = args[0]
    if len(args) >= 2 and isinstance(args[0], int):
        return MsgInfo(args[0], None, None, None, server_text(_s(args[1])))
    return MsgInfo(None, None, None, None, server_text(_s(args[0])) if args else "")


_LOGIN_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import pymssql, tdslite
kw = json.loads(sys.argv[2])
try:
    pymssql.connect(**kw).close()
    out = {"ok": True}
except pymssql.Error as e:
    m = tdslite.mssql_error(e)
    out = {"ok": False, "exc": type(e).__name__, "number": m.number, "severity": m.severity,
           "state": m.state, "line": m.line, "text": m.text}
print(json.dumps(out))
"""


class LoginFailure(Exception):
    pass


def _login_probe(server, **kw):
    """Try one pymssql login in a fresh Python process; returns (exception
    class name, MsgInfo), or (None, None) when the login succeeded.

    A fresh process because pymssql 2.2 cannot report a second failed login
    in one process: its clr_err() assigns the module-level
    _mssql_last_msg_no/_severity/_state inside a cdef function without a
    `global` declaration, so only the text buffer is reset between connects.
    After one failed login the kept severity stays 14, the msg_handler (which
    keeps a message only if its severity is *greater*) ignores the next
    login's 4060/18456, and the exception carries the previous number and an
    empty server text. That happens against a real SQL Server too."""
    args = dict(server=server.host, port=str(server.port), user="sa", password=server.password,
                login_timeout=10, timeout=60)
    args.update(kw)
    import json
    p = subprocess.run([sys.executable, "-c", _LOGIN_PROBE, os.path.dirname(os.path.abspath(__file__)),
                        json.dumps(args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=server.freetds_env(), timeout=60)
    if p.returncode != 0:
        raise LoginFailure("login probe failed: %s" % p.stderr.decode("utf-8", "replace"))
    out = json.loads(p.stdout.decode("utf-8").strip().splitlines()[-1])
    if out["ok"]:
        return None, None
    return out["exc"], MsgInfo(out["number"], out["severity"], out["state"], out["line"], out["text"])


def first_line(text):
    return text.split("\n", 1)[0].strip()
