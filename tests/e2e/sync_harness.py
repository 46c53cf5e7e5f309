"""Harness for the `sluice sync` end-to-end tests (not a test file itself).

The source is tdslite (started here, see tests/conformance/tdslite.py) or,
when SLUICE_TEST_MSSQL is set, a real SQL Server given as an ODBC
connection string, for example

    SLUICE_TEST_MSSQL='Driver={ODBC Driver 18 for SQL Server};Server=tcp:db.example.com,1433;UID=sa;PWD={secret};Encrypt=yes;TrustServerCertificate=yes'

(Server may be `host`, `host,port` or `tcp:host,port`; Port=, UID=, PWD=,
Driver=, Encrypt=, TrustServerCertificate= are read; the login must be
allowed to CREATE DATABASE, since every test makes its own databases,
named sluice_e2e_*, and drops them at the end.) DML is driven with pymssql
(Debian's /usr/bin/python3), sluice runs as the real binary, and the landed
Parquet files are read back with DuckDB (tests/e2e/duckq.mjs, node).

Nothing here knows tdslite beyond starting it: every statement sent is
T-SQL a real SQL Server accepts.
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "conformance"))
import tdslite  # noqa: E402

SRC = os.environ.get("SL_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("SL_BUILD_DIR") or os.path.join(SRC, "build")
SLUICE = os.path.join(BUILD, "bin", "sluice")
PW_VAR = "SLUICE_E2E_PASSWORD"


def parse_odbc(s):
    """ODBC connection string -> dict of lowercased keys (braces removed)."""
    out, i = {}, 0
    while i < len(s):
        j = s.find("=", i)
        if j < 0:
            break
        key = s[i:j].strip().lower()
        i = j + 1
        if i < len(s) and s[i] == "{":
            val, i = "", i + 1
            while i < len(s):
                if s[i] == "}":
                    if i + 1 < len(s) and s[i + 1] == "}":
                        val += "}"
                        i += 2
                        continue
                    i += 1
                    break
                val += s[i]
                i += 1
            k = s.find(";", i)
            i = len(s) if k < 0 else k + 1
        else:
            k = s.find(";", i)
            val = s[i:] if k < 0 else s[i:k]
            i = len(s) if k < 0 else k + 1
        out[key] = val.strip()
    return out


class Source:
    """The SQL Server the tests sync from."""

    def __init__(self, args=()):
        self.server = None
        self.dbs = []
        real = os.environ.get("SLUICE_TEST_MSSQL")
        if real:
            kv = parse_odbc(real)
            srv = kv.get("server", "127.0.0.1")
            if srv.lower().startswith("tcp:"):
                srv = srv[4:]
            host, _, port = srv.partition(",")
            self.host = host
            self.port = int(port or kv.get("port", "1433"))
            self.user = kv.get("uid", "sa")
            self.password = kv.get("pwd", "")
            self.driver = kv.get("driver", "FreeTDS")
            self.encrypt = kv.get("encrypt", "no").lower() in ("yes", "true", "mandatory", "strict")
            self.trust = kv.get("trustservercertificate", "no").lower() in ("yes", "true")
            self.real = True
        else:
            self.server = tdslite.Server(args=args).start()
            self.host, self.port = self.server.host, self.server.port
            self.user, self.password = "sa", self.server.password
            self.driver, self.encrypt, self.trust = "FreeTDS", False, False
            self.real = False

    def close(self):
        for db in reversed(self.dbs):
            try:
                self.sql("ALTER DATABASE [%s] SET SINGLE_USER WITH ROLLBACK IMMEDIATE" % db)
            except Exception:
                pass
            try:
                self.sql("DROP DATABASE [%s]" % db)
            except Exception:
                pass
        if self.server:
            self.server.stop()

    # -- pymssql -----------------------------------------------------------
    def connect(self, db=None, autocommit=True):
        import pymssql
        if self.server:
            self.server.apply_freetds_env()
        kw = dict(server=self.host, port=str(self.port), user=self.user, password=self.password,
                  login_timeout=10, timeout=120, autocommit=autocommit)
        if db:
            kw["database"] = db
        return pymssql.connect(**kw)

    def sql(self, text, db=None):
        """Run one batch in autocommit mode; rows of the last result set (or None)."""
        conn = self.connect(db)
        try:
            return tdslite.last_rows(conn.cursor(), text)
        finally:
            conn.close()

    def new_db(self, prefix, ct=True, snapshot=True, retention="2 DAYS"):
        name = "sluice_e2e_%s_%04x" % (prefix, random.getrandbits(16))
        self.sql("CREATE DATABASE [%s]" % name)
        self.dbs.append(name)
        if snapshot:
            self.sql("ALTER DATABASE [%s] SET ALLOW_SNAPSHOT_ISOLATION ON" % name)
        if ct:
            self.sql("ALTER DATABASE [%s] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = %s, "
                     "AUTO_CLEANUP = ON)" % (name, retention))
        return name

    def table(self, db, name, ddl, track=True):
        self.sql("CREATE TABLE dbo.[%s] (%s)" % (name, ddl), db)
        if track:
            self.sql("ALTER TABLE dbo.[%s] ENABLE CHANGE_TRACKING" % name, db)

    # -- sluice --------------------------------------------------------------
    def config(self, workdir, dbs, storage=None, parallelism=None, password_ref=True,
               name="sluice.yaml", user=None):
        """Write a sluice config; dbs = {db: {table: "mode" | {options}}} (schema dbo)."""
        lines = ["connection:",
                 "  server: %s" % self.host,
                 "  port: %d" % self.port,
                 "  user: %s" % json.dumps(user or self.user),
                 "  password: ${%s}" % PW_VAR if password_ref else "  password: %s" % json.dumps(self.password),
                 "  driver: %s" % json.dumps(self.driver),
                 "  encrypt: %s" % ("true" if self.encrypt else "false"),
                 "  trust_server_certificate: %s" % ("true" if self.trust else "false"),
                 "storage:",
                 "  root: %s" % json.dumps(os.path.join(workdir, "lake"))]
        for k, v in (storage or {}).items():
            lines.append("  %s: %s" % (k, v))
        if parallelism:
            lines.append("parallelism: %d" % parallelism)
        lines.append("databases:")
        for db, tables in dbs.items():
            lines += ["  %s:" % db, "    schemas:", "      dbo:", "        tables:"]
            for t, spec in tables.items():
                if isinstance(spec, dict):
                    spec = "{ " + ", ".join("%s: %s" % (k, json.dumps(v) if isinstance(v, str) else
                                                         str(v).lower()) for k, v in spec.items()) + " }"
                lines.append("          %s: %s" % (t, spec or ""))
        path = os.path.join(workdir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def env(self, extra=None):
        e = dict(os.environ)
        e[PW_VAR] = self.password
        for k in list(e):
            if k.startswith("SLUICE_TEST_") and k != "SLUICE_TEST_MSSQL":
                del e[k]
            if k.startswith("MSSQL_"):
                del e[k]
        if self.server:
            e.update({k: v for k, v in self.server.freetds_env().items() if k in ("FREETDSCONF", "TDSVER")})
        e.update(extra or {})
        return e

    def sluice(self, *args, env=None, timeout=300, check=None):
        p = subprocess.run([SLUICE] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env(env), timeout=timeout)
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if check is not None and p.returncode != check:
            raise AssertionError("sluice %s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(args), p.returncode, check, p.out, p.err))
        return p

    def spawn(self, *args, env=None):
        return subprocess.Popen([SLUICE] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env(env))


# -- reading what landed ------------------------------------------------------

def duck(sql):
    p = subprocess.run(["node", os.path.join(HERE, "duckq.mjs"), sql], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise AssertionError("duckdb failed: %s\nSQL: %s" % (p.stderr.decode(), sql))
    return json.loads(p.stdout.decode())


def state_dir(root, db, table, schema="dbo"):
    return os.path.join(root, "watermarks", db, schema, table)


def history(root, db, table, schema="dbo"):
    path = os.path.join(state_dir(root, db, table, schema), "sync_history.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def watermark(root, db, table, schema="dbo"):
    path = os.path.join(state_dir(root, db, table, schema), "watermarks.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def data_files(root, db, table, schema="dbo", hidden=False):
    base = os.path.join(root, "data", db, schema, table)
    out = []
    for dirpath, _, names in os.walk(base):
        for n in names:
            if n.startswith(".") and not hidden:
                continue
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


def committed_files(root, db, table, schema="dbo"):
    """Files of the ok runs since (and including) the last full run, in run order."""
    h = [e for e in history(root, db, table, schema) if e["status"] == "ok"]
    start = 0
    for i, e in enumerate(h):
        if e["mode"] == "full":
            start = i
    files = []
    for e in h[start:]:
        files += e["files"]
    return files


def check_no_orphans(root, db, table, schema="dbo"):
    """Every file on disk is claimed by exactly one ok history line, and no temp is left."""
    on_disk = data_files(root, db, table, schema, hidden=True)
    claimed = []
    for e in history(root, db, table, schema):
        if e["status"] == "ok":
            claimed += e["files"]
    assert len(claimed) == len(set(claimed)), "a file is claimed by two runs: %s" % claimed
    assert sorted(on_disk) == sorted(claimed), \
        "files on disk and files of ok runs differ:\n disk: %s\n runs: %s" % (on_disk, claimed)


def sql_expr(col, kind):
    q = '"%s"' % col
    if kind == "ts":
        return "strftime(%s, '%%Y-%%m-%%d %%H:%%M:%%S.%%f')" % q
    return "CAST(%s AS VARCHAR)" % q


def norm(kind, v):
    """A source (pymssql) or DuckDB JSON value as comparable text."""
    if v is None:
        return None
    if kind == "bool":
        if isinstance(v, str):
            return v.lower() in ("true", "1")
        return bool(v)
    if kind == "ts" and not isinstance(v, str):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return str(v)


def replay(root, db, table, key, cols, schema="dbo"):
    """Apply the landed changes: the last full load, then every later run;
    the latest row per key by SYS_CHANGE_VERSION wins; deletes remove.
    cols = [(name, kind)] with kind in int, str, dec, bool, ts. Returns
    {key: tuple(normalised values)}."""
    files = committed_files(root, db, table, schema)
    if not files:
        return {}
    flist = ", ".join("'%s'" % os.path.join(root, f) for f in files)
    sel = ", ".join("%s AS c%d" % (sql_expr(c, k), i) for i, (c, k) in enumerate(cols))
    rows = duck("SELECT %s, CAST(SYS_CHANGE_OPERATION AS VARCHAR) AS op FROM ("
                " SELECT *, row_number() OVER (PARTITION BY \"%s\" ORDER BY SYS_CHANGE_VERSION DESC) AS rn"
                " FROM read_parquet([%s], union_by_name = true)) WHERE rn = 1"
                % (sel, key, flist))
    out = {}
    kidx = [c for c, _ in cols].index(key)
    for r in rows:
        if r["op"] == "D":
            continue
        vals = tuple(norm(cols[i][1], r["c%d" % i]) for i in range(len(cols)))
        out[vals[kidx]] = vals
    return out


def source_rows(src, db, table, key, cols):
    names = ", ".join("[%s]" % c for c, _ in cols)
    rows = src.sql("SELECT %s FROM dbo.[%s]" % (names, table), db) or []
    kidx = [c for c, _ in cols].index(key)
    out = {}
    for r in rows:
        vals = tuple(norm(cols[i][1], r[i]) for i in range(len(cols)))
        out[vals[kidx]] = vals
    return out


def assert_replay_matches(src, root, db, table, key, cols):
    got = replay(root, db, table, key, cols)
    want = source_rows(src, db, table, key, cols)
    if got != want:
        missing = sorted(set(want) - set(got))[:10]
        extra = sorted(set(got) - set(want))[:10]
        diff = [k for k in want if k in got and got[k] != want[k]][:10]
        raise AssertionError("replay of %s.%s differs from the source: %d rows landed vs %d; "
                             "missing %s; extra %s; different %s"
                             % (db, table, len(got), len(want), missing, extra,
                                [(want[k], got[k]) for k in diff]))


class Tmp:
    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix="sluice-e2e-%s-" % prefix)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if not os.environ.get("SLUICE_E2E_KEEP"):
            shutil.rmtree(self.path, ignore_errors=True)


def run_tests(tests):
    """Run test functions in order; print a summary; exit non-zero on failure."""
    failed = 0
    for t in tests:
        try:
            t()
            print("ok   %s" % t.__name__, flush=True)
        except Exception as e:  # report every test, then fail
            failed += 1
            import traceback
            traceback.print_exc()
            print("FAIL %s: %s" % (t.__name__, e), flush=True)
    print("%d passed, %d failed" % (len(tests) - failed, failed))
    sys.exit(1 if failed else 0)


def summary_row(out, table):
    """The summary line of `sluice sync` for table as a dict."""
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == table:
            return {"status": f[1], "plan": f[2], "rows": int(f[3]), "inserts": int(f[4]),
                    "updates": int(f[5]), "deletes": int(f[6]), "files": int(f[7]),
                    "versions": " ".join(f[8:])}
    raise AssertionError("no summary line for %s in:\n%s" % (table, out))


def check_exactly_once(root, db, table, key, schema="dbo"):
    """The ok runs since the last full load chain without gaps or overlaps
    (each starts where the previous ended), and no key lands twice with one
    version among their files."""
    h = [e for e in history(root, db, table, schema) if e["status"] == "ok"]
    start = max([i for i, e in enumerate(h) if e["mode"] == "full"] or [0])
    for prev, cur in zip(h[start:], h[start + 1:]):
        assert cur["mode"] == "full" or cur["from"] == prev["to"], \
            "runs %s and %s do not chain: %s then %s" % (prev["run_id"], cur["run_id"], prev["to"], cur["from"])
    files = committed_files(root, db, table, schema)
    if not files:
        return
    flist = ", ".join("'%s'" % os.path.join(root, f) for f in files)
    dup = duck("SELECT CAST(\"%s\" AS VARCHAR) AS k, SYS_CHANGE_VERSION AS v, count(*) AS n "
               "FROM read_parquet([%s], union_by_name = true) GROUP BY ALL HAVING count(*) > 1 LIMIT 5"
               % (key, flist))
    assert dup == [], "rows landed twice: %s" % dup
