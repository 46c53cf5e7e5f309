"""tdslite conformance: logins, database users, roles and permissions, as
SQL Server 2022 (on Linux) answers them to pymssql and FreeTDS tsql.

Covers CREATE/ALTER/DROP LOGIN (password policy, disabled logins, logins
kept across a restart), CREATE/DROP USER, roles (ALTER ROLE ... ADD MEMBER,
fixed database roles), GRANT/DENY/REVOKE on objects, schemas and the
database (DENY wins), Msg 229 on SELECT/INSERT/UPDATE/DELETE/EXECUTE,
4060/18456 and 916 for a login without a user, HAS_PERMS_BY_NAME,
IS_ROLEMEMBER / IS_SRVROLEMEMBER, USER_NAME / SUSER_SNAME, and CHAR /
OBJECT_ID with a ']]' escape.
"""

import os
import re
import sys
import tempfile
import shutil
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402
from tdslite import raises, run, scalar  # noqa: E402
import pymssql  # noqa: E402

S = None
PW = "Str0ng!pass"


def setUpModule():
    global S
    S = tdslite.Server().start()
    c = sa()
    run(c, "CREATE DATABASE secdb")
    run(c, "USE secdb; CREATE TABLE dbo.t(id int PRIMARY KEY, v int); INSERT dbo.t VALUES (1, 10), (2, 20)")
    run(c, "USE secdb; CREATE SCHEMA s2; CREATE TABLE s2.[c]]d](a int); INSERT s2.[c]]d] VALUES (7)")
    c.close()


def tearDownModule():
    if S:
        S.stop()


def sa(**kw):
    kw.setdefault("autocommit", True)
    return S.connect(**kw)


def login(user, password=PW, **kw):
    kw.setdefault("autocommit", True)
    return S.connect(user=user, password=password, **kw)


_n = [0]


def new_login(prefix="u", user_in="secdb"):
    """A fresh login (and its user in `user_in`, if given)."""
    _n[0] += 1
    name = "%s%d" % (prefix, _n[0])
    c = sa()
    run(c, "CREATE LOGIN %s WITH PASSWORD = N'%s'" % (name, PW))
    if user_in:
        run(c, "USE %s; CREATE USER %s FOR LOGIN %s" % (user_in, name, name))
    c.close()
    return name


def denied(perm, obj, schema="dbo", db="secdb"):
    return "The %s permission was denied on the object '%s', database '%s', schema '%s'." % (perm, obj, db, schema)


class Logins(unittest.TestCase):
    def test_password_policy(self):
        c = sa()
        m = raises(c, "CREATE LOGIN weak1 WITH PASSWORD = N'short'")
        self.assertEqual((m.number, m.severity), (33062, 16))
        self.assertEqual(m.text, "Password validation failed. The password does not meet SQL Server password policy "
                                 "requirements because it is too short. The password must be at least 8 characters.")
        m = raises(c, "CREATE LOGIN weak1 WITH PASSWORD = N'alllowercase'")
        self.assertEqual(m.number, 33064)
        self.assertTrue(m.text.startswith("Password validation failed. The password does not meet SQL Server "
                                          "password policy requirements because it is not complex enough."))
        run(c, "CREATE LOGIN weak1 WITH PASSWORD = N'short', CHECK_POLICY = OFF")
        c.close()
        w = login("weak1", "short")
        self.assertEqual(scalar(w, "SELECT SUSER_SNAME()"), "weak1")
        w.close()

    def test_drop_login_in_use(self):
        name = new_login(user_in=None)
        u = login(name)
        c = sa()
        m = raises(c, "DROP LOGIN %s" % name)
        self.assertEqual((m.number, m.text), (15434, "Could not drop login '%s' as the user is currently logged in." % name))
        u.close()
        # the server sees the disconnect asynchronously
        for _ in range(500):
            try:
                run(c, "DROP LOGIN %s" % name)
                break
            except pymssql.Error:
                time.sleep(0.02)
        self.assertEqual(S.failed_login(user=name, password=PW)[1].number, 18456)
        c.close()

    def test_duplicate_and_missing(self):
        name = new_login(user_in=None)
        c = sa()
        m = raises(c, "CREATE LOGIN %s WITH PASSWORD = N'%s'" % (name.upper(), PW))
        self.assertEqual((m.number, m.text), (15025, "The server principal '%s' already exists." % name.upper()))
        m = raises(c, "DROP LOGIN nosuchlogin")
        self.assertEqual((m.number, m.text), (15151, "Cannot drop the login 'nosuchlogin', because it does not "
                                                     "exist or you do not have permission."))
        c.close()

    def test_bad_password_and_unknown_login_are_18456(self):
        name = new_login(user_in=None)
        for user, pw in ((name, "Wrong!pass1"), ("nobody_here", PW)):
            exc, m = S.failed_login(user=user, password=pw)
            self.assertEqual(exc, "OperationalError")
            self.assertEqual((m.number, m.severity), (18456, 14))
            self.assertEqual(m.text, "Login failed for user '%s'." % user)

    def test_disabled_login(self):
        name = new_login(user_in=None)
        c = sa()
        run(c, "ALTER LOGIN %s DISABLE" % name)
        exc, m = S.failed_login(user=name, password=PW)
        self.assertEqual((m.number, m.text), (18470, "Login failed for user '%s'. Reason: The account is disabled." % name))
        run(c, "ALTER LOGIN %s ENABLE" % name)
        run(c, "ALTER LOGIN %s WITH PASSWORD = N'An0ther!pass'" % name)
        c.close()
        self.assertEqual(S.failed_login(user=name, password=PW)[1].number, 18456)
        u = login(name, "An0ther!pass")
        self.assertEqual(scalar(u, "SELECT SUSER_SNAME()"), name)
        u.close()

    def test_guest_in_master_and_names(self):
        name = new_login(user_in=None)
        u = login(name)
        r = run(u, "SELECT DB_NAME(), SUSER_SNAME(), SUSER_NAME(), SYSTEM_USER, USER_NAME(), CURRENT_USER")
        self.assertEqual(r[0][0], ("master", name, name, name, "guest", "guest"))
        self.assertEqual(run(u, "SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('public'), "
                                "IS_SRVROLEMEMBER('nosuchrole'), IS_SRVROLEMEMBER('sysadmin', 'sa')")[0][0],
                         (0, 1, None, 1))
        u.close()
        c = sa()
        self.assertEqual(run(c, "SELECT SUSER_SNAME(), USER_NAME(), IS_SRVROLEMEMBER('sysadmin'), "
                                "IS_ROLEMEMBER('db_owner'), USER_NAME(1), SUSER_SNAME(0x01)")[0][0],
                         ("sa", "dbo", 1, 1, "dbo", "sa"))
        c.close()

    def test_no_user_in_database(self):
        name = new_login(user_in=None)
        # pymssql keeps only the most severe message (18456); tsql shows both
        p = S.tsql("SELECT 1\ngo\n", user=name, password=PW, database="secdb", extra=["-o", "q"])
        err = p.stderr.decode("utf-8", "replace")
        self.assertIn('Cannot open database "secdb" requested by the login. The login failed.', err)
        self.assertIn("Login failed for user '%s'." % name, err)
        self.assertRegex(err, r"Msg 4060 \(severity 11")
        u = login(name)
        m = raises(u, "USE secdb")
        self.assertEqual((m.number, m.severity), (916, 14))
        self.assertEqual(m.text, 'The server principal "%s" is not able to access the database "secdb" under the '
                                 'current security context.' % name)
        self.assertEqual(scalar(u, "SELECT DB_NAME()"), "master")
        m = raises(u, "SELECT * FROM secdb.dbo.t")
        self.assertEqual(m.number, 916)
        u.close()

    def test_only_sysadmin_manages_logins(self):
        name = new_login()
        u = login(name)
        m = raises(u, "CREATE LOGIN x1 WITH PASSWORD = N'%s'" % PW)
        self.assertEqual((m.number, m.text), (15247, "User does not have permission to perform this action."))
        u.close()

    def test_logins_survive_a_restart(self):
        d = tempfile.mkdtemp(prefix="tdslite-sec-")
        try:
            with tdslite.Server(data=False, args=["--data", d]) as s1:
                c = s1.connect(autocommit=True)
                run(c, "CREATE LOGIN keeper WITH PASSWORD = N'%s'; CREATE DATABASE kdb" % PW)
                run(c, "USE kdb; CREATE USER keeper; CREATE TABLE t(a int); GRANT SELECT ON t TO keeper")
                c.close()
            with tdslite.Server(data=False, args=["--data", d]) as s2:
                u = s2.connect(user="keeper", password=PW, database="kdb", autocommit=True)
                self.assertEqual(run(u, "SELECT USER_NAME(), COUNT(*) FROM t")[0][0], ("keeper", 0))
                u.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class Users(unittest.TestCase):
    def test_create_user_errors(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb")
        m = raises(c, "CREATE USER ghost FOR LOGIN no_such_login")
        self.assertEqual((m.number, m.text), (15007, "'no_such_login' is not a valid login or you do not have permission."))
        m = raises(c, "CREATE USER %s FOR LOGIN %s" % (name, name))
        self.assertEqual((m.number, m.text), (15023, "User, group, or role '%s' already exists in the current database." % name))
        m = raises(c, "CREATE USER other_name FOR LOGIN %s" % name)
        self.assertEqual((m.number, m.text), (15063, "The login already has an account under a different user name."))
        m = raises(c, "DROP USER no_such_user")
        self.assertEqual((m.number, m.text), (15151, "Cannot drop the user 'no_such_user', because it does not exist "
                                                     "or you do not have permission."))
        run(c, "DROP USER IF EXISTS no_such_user")
        c.close()

    def test_drop_user_removes_access(self):
        name = new_login()
        u = login(name, database="secdb")
        self.assertEqual(scalar(u, "SELECT USER_NAME()"), name)
        u.close()
        c = sa()
        run(c, "USE secdb; DROP USER %s" % name)
        c.close()
        self.assertEqual(S.failed_login(user=name, password=PW, database="secdb")[1].number, 18456)


class Permissions(unittest.TestCase):
    def test_select_denied_then_granted(self):
        name = new_login()
        u = login(name, database="secdb")
        m = raises(u, "SELECT * FROM dbo.t")
        self.assertEqual((m.number, m.severity, m.state), (229, 14, 5))
        self.assertEqual(m.text, denied("SELECT", "t"))
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'[dbo].[t]', N'OBJECT', N'SELECT')"), 0)
        c = sa()
        run(c, "USE secdb; GRANT SELECT ON OBJECT::dbo.t TO %s" % name)
        self.assertEqual(run(u, "SELECT id, v FROM dbo.t ORDER BY id")[0], [(1, 10), (2, 20)])
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'[dbo].[t]', N'OBJECT', N'SELECT')"), 1)
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'secdb.dbo.t', N'OBJECT', N'INSERT')"), 0)
        # the batch goes on after a 229 (a statement error)
        cur = u.cursor()
        with self.assertRaises(pymssql.Error):
            cur.execute("SELECT * FROM s2.[c]]d]; SELECT 42 AS after")
        run(c, "USE secdb; REVOKE SELECT ON dbo.t FROM %s" % name)
        self.assertEqual(raises(u, "SELECT COUNT(*) FROM dbo.t").number, 229)
        c.close()
        u.close()

    def test_dml_permissions(self):
        name = new_login()
        u = login(name, database="secdb")
        c = sa()
        run(c, "USE secdb; CREATE TABLE dbo.w(id int PRIMARY KEY, v int)")
        self.assertEqual(raises(u, "INSERT dbo.w VALUES (1, 1)").text, denied("INSERT", "w"))
        run(c, "USE secdb; GRANT INSERT ON dbo.w TO %s" % name)
        run(u, "INSERT dbo.w VALUES (1, 1)")
        self.assertEqual(raises(u, "UPDATE dbo.w SET v = 2").text, denied("UPDATE", "w"))
        self.assertEqual(raises(u, "DELETE dbo.w").text, denied("DELETE", "w"))
        run(c, "USE secdb; GRANT UPDATE, DELETE ON dbo.w TO %s" % name)
        run(u, "UPDATE dbo.w SET v = 2")
        # reading a column (WHERE id = 1) needs SELECT as well
        self.assertEqual(raises(u, "UPDATE dbo.w SET v = 3 WHERE id = 1").text, denied("SELECT", "w"))
        self.assertEqual(raises(u, "DELETE dbo.w WHERE id = 1").text, denied("SELECT", "w"))
        run(c, "USE secdb; GRANT SELECT ON dbo.w TO %s" % name)
        run(u, "UPDATE dbo.w SET v = v + 1 WHERE id = 1")
        self.assertEqual(run(u, "SELECT v FROM dbo.w")[0], [(3,)])
        run(u, "DELETE dbo.w WHERE id = 1")
        self.assertEqual(scalar(u, "SELECT COUNT(*) FROM dbo.w"), 0)
        m = raises(u, "TRUNCATE TABLE dbo.w")
        self.assertEqual((m.number, m.text), (1088, 'Cannot find the object "dbo.w" because it does not exist or you '
                                                    'do not have permissions.'))
        c.close()
        u.close()

    def test_deny_wins_and_schema_grants_count(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; GRANT SELECT ON SCHEMA::s2 TO %s" % name)
        u = login(name, database="secdb")
        self.assertEqual(run(u, "SELECT a FROM s2.[c]]d]")[0], [(7,)])
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N's2', N'SCHEMA', N'SELECT')"), 1)
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'[s2].[c]]d]', N'OBJECT', N'SELECT')"), 1)
        run(c, "USE secdb; DENY SELECT ON OBJECT::s2.[c]]d] TO %s" % name)
        self.assertEqual(raises(u, "SELECT a FROM s2.[c]]d]").text, denied("SELECT", "c]d", schema="s2"))
        run(c, "USE secdb; REVOKE SELECT ON OBJECT::s2.[c]]d] FROM %s; GRANT SELECT ON dbo.t TO %s;"
               " DENY SELECT ON SCHEMA::dbo TO public" % (name, name))
        self.assertEqual(raises(u, "SELECT * FROM dbo.t").number, 229)
        self.assertEqual(run(u, "SELECT a FROM s2.[c]]d]")[0], [(7,)])
        run(c, "USE secdb; REVOKE SELECT ON SCHEMA::dbo FROM public")
        self.assertEqual(scalar(u, "SELECT COUNT(*) FROM dbo.t"), 2)
        c.close()
        u.close()

    def test_roles(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; CREATE ROLE readers; GRANT SELECT ON dbo.t TO readers")
        u = login(name, database="secdb")
        self.assertEqual(run(u, "SELECT IS_ROLEMEMBER('readers'), IS_MEMBER('db_owner'), IS_ROLEMEMBER('nosuch')")[0][0],
                         (0, 0, None))
        self.assertEqual(raises(u, "SELECT * FROM dbo.t").number, 229)
        run(c, "USE secdb; ALTER ROLE readers ADD MEMBER %s" % name)
        self.assertEqual(scalar(u, "SELECT COUNT(*) FROM dbo.t"), 2)
        self.assertEqual(scalar(u, "SELECT IS_ROLEMEMBER('readers')"), 1)
        m = raises(c, "USE secdb; DROP ROLE readers")
        self.assertEqual((m.number, m.text), (15144, "The role has members. It must be empty before it can be dropped."))
        run(c, "USE secdb; ALTER ROLE readers DROP MEMBER %s; DROP ROLE readers" % name)
        self.assertEqual(raises(u, "SELECT * FROM dbo.t").number, 229)
        m = raises(c, "USE secdb; ALTER ROLE no_role ADD MEMBER %s" % name)
        self.assertEqual((m.number, m.text), (15151, "Cannot alter the role 'no_role', because it does not exist or "
                                                     "you do not have permission."))
        # fixed roles: db_datareader reads everything, db_denydatareader wins
        run(c, "USE secdb; ALTER ROLE db_datareader ADD MEMBER %s" % name)
        self.assertEqual(scalar(u, "SELECT COUNT(*) FROM dbo.t"), 2)
        self.assertEqual(raises(u, "INSERT dbo.t VALUES (9, 9)").text, denied("INSERT", "t"))
        run(c, "USE secdb; ALTER ROLE db_denydatareader ADD MEMBER %s" % name)
        self.assertEqual(raises(u, "SELECT * FROM dbo.t").number, 229)
        c.close()
        u.close()

    def test_db_owner_passes_everything(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; ALTER ROLE db_owner ADD MEMBER %s; DENY SELECT ON dbo.t TO %s" % (name, name))
        u = login(name, database="secdb")
        self.assertEqual(scalar(u, "SELECT IS_ROLEMEMBER('db_owner')"), 1)
        self.assertEqual(scalar(u, "SELECT COUNT(*) FROM dbo.t"), 2)
        run(u, "CREATE TABLE dbo.owned(a int); INSERT dbo.owned VALUES (1); DROP TABLE dbo.owned")
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'dbo.t', N'OBJECT', N'VIEW CHANGE TRACKING')"), 1)
        c.close()
        u.close()

    def test_bulk_load_needs_insert(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; CREATE TABLE dbo.bulk_t(id int PRIMARY KEY, v varchar(10)); GRANT SELECT ON dbo.bulk_t TO %s"
            % name)
        path = os.path.join(S.tmp, "bulk_in.txt")
        with open(path, "w") as f:
            f.write("1\ta\n2\tb\n")
        p = S.freebcp("secdb.dbo.bulk_t", "in", path, extra=["-c"], user=name, password=PW)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertIn(denied("INSERT", "bulk_t"), out)
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM secdb.dbo.bulk_t"), 0)
        run(c, "USE secdb; GRANT INSERT ON dbo.bulk_t TO %s" % name)
        p = S.freebcp("secdb.dbo.bulk_t", "in", path, extra=["-c"], user=name, password=PW)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("2 rows copied", out)
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM secdb.dbo.bulk_t"), 2)
        c.close()

    def test_ddl_needs_rights(self):
        name = new_login()
        u = login(name, database="secdb")
        m = raises(u, "CREATE TABLE dbo.mine(a int)")
        self.assertEqual((m.number, m.severity, m.text), (262, 14, "CREATE TABLE permission denied in database 'secdb'."))
        m = raises(u, "DROP TABLE dbo.t")
        self.assertEqual((m.number, m.text), (3701, "Cannot drop the table 'dbo.t', because it does not exist or you "
                                                    "do not have permission."))
        m = raises(u, "GRANT SELECT ON dbo.t TO %s" % name)
        self.assertEqual((m.number, m.text), (4613, "Grantor does not have GRANT permission."))
        u.close()

    def test_view_change_tracking_and_database_permissions(self):
        name = new_login()
        c = sa()
        u = login(name, database="secdb")
        q = ("SELECT HAS_PERMS_BY_NAME(N'[dbo].[t]', N'OBJECT', N'VIEW CHANGE TRACKING'),"
             " HAS_PERMS_BY_NAME(NULL, N'DATABASE', N'CREATE TABLE'), HAS_PERMS_BY_NAME(N'secdb', N'DATABASE', N'CONNECT')")
        self.assertEqual(run(u, q)[0][0], (0, 0, 1))
        run(c, "USE secdb; GRANT VIEW CHANGE TRACKING ON SCHEMA::dbo TO %s; GRANT CREATE TABLE TO %s" % (name, name))
        self.assertEqual(run(u, q)[0][0], (1, 1, 1))
        run(c, "USE secdb; DENY VIEW CHANGE TRACKING ON dbo.t TO %s" % name)
        self.assertEqual(run(u, q)[0][0], (0, 1, 1))
        c.close()
        u.close()

    def test_has_perms_by_name_edges(self):
        c = sa()
        run(c, "USE secdb")
        r = run(c, "SELECT HAS_PERMS_BY_NAME(N'[dbo].[t]', N'OBJECT', N'SELECT'),"
                   " HAS_PERMS_BY_NAME(N'dbo.no_such', N'OBJECT', N'SELECT'),"
                   " HAS_PERMS_BY_NAME(N'dbo.t', N'NOCLASS', N'SELECT'),"
                   " HAS_PERMS_BY_NAME(N'dbo.t', N'OBJECT', N'NOPERM'),"
                   " HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW SERVER STATE')")[0][0]
        self.assertEqual(r, (1, None, None, None, 1))
        c.close()
        name = new_login()
        u = login(name, database="secdb")
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(N'dbo.t', N'OBJECT', N'ANY')"), 0)
        self.assertEqual(scalar(u, "SELECT HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW SERVER STATE')"), 0)
        u.close()

    def test_execute_and_ownership_chaining(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb")
        run(c, "CREATE PROCEDURE dbo.count_t AS SELECT COUNT(*) AS n FROM dbo.t")
        u = login(name, database="secdb")
        m = raises(u, "EXEC dbo.count_t")
        self.assertEqual(m.text, denied("EXECUTE", "count_t"))
        run(c, "GRANT EXECUTE ON dbo.count_t TO %s" % name)
        # the procedure reads dbo.t without a SELECT grant: same owner (dbo)
        self.assertEqual(run(u, "EXEC dbo.count_t")[0], [(2,)])
        self.assertEqual(raises(u, "SELECT * FROM dbo.t").number, 229)
        c.close()
        u.close()


class CatalogViews(unittest.TestCase):
    def test_principals_members_and_permissions(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; CREATE ROLE cv_role; ALTER ROLE cv_role ADD MEMBER %s; GRANT SELECT ON dbo.t TO cv_role;"
               " DENY VIEW CHANGE TRACKING ON SCHEMA::dbo TO %s" % (name, name))
        r = run(c, "SELECT name, type, type_desc, authentication_type_desc FROM sys.database_principals"
                   " WHERE name IN (N'%s', N'cv_role', N'dbo', N'guest', N'db_owner') ORDER BY principal_id" % name)[0]
        self.assertEqual(r, [("dbo", "S", "SQL_USER", "INSTANCE"), ("guest", "S", "SQL_USER", "NONE"),
                             (name, "S", "SQL_USER", "INSTANCE"), ("cv_role", "R", "DATABASE_ROLE", "NONE"),
                             ("db_owner", "R", "DATABASE_ROLE", "NONE")])
        self.assertEqual(run(c, "SELECT USER_NAME(role_principal_id) FROM sys.database_role_members"
                                " WHERE member_principal_id = USER_ID(N'%s')" % name)[0], [("cv_role",)])
        self.assertEqual(run(c, "SELECT USER_ID(), USER_ID(N'no_such'), DATABASE_PRINCIPAL_ID(N'public')")[0][0],
                         (1, None, 0))
        r = run(c, "SELECT USER_NAME(m.role_principal_id) FROM sys.database_role_members m"
                   " JOIN sys.database_principals p ON p.principal_id = m.member_principal_id WHERE p.name = N'%s'" % name)
        self.assertEqual(r[0], [("cv_role",)])
        r = run(c, "SELECT d.class_desc, d.type, d.permission_name, d.state_desc, p.name FROM sys.database_permissions d"
                   " JOIN sys.database_principals p ON p.principal_id = d.grantee_principal_id"
                   " WHERE p.name IN (N'%s', N'cv_role') ORDER BY d.permission_name" % name)[0]
        self.assertEqual(r, [("DATABASE", "CO  ", "CONNECT", "GRANT", name),
                             ("OBJECT_OR_COLUMN", "SL  ", "SELECT", "GRANT", "cv_role"),
                             ("SCHEMA", "VWCT", "VIEW CHANGE TRACKING", "DENY", name)])
        r = run(c, "SELECT name, type_desc, is_disabled FROM sys.server_principals WHERE name IN (N'sa', N'%s')"
                   " ORDER BY principal_id" % name)[0]
        self.assertEqual(r, [("sa", "SQL_LOGIN", False), (name, "SQL_LOGIN", False)])
        self.assertEqual(scalar(c, "SELECT is_policy_checked FROM sys.sql_logins WHERE name = N'%s'" % name), True)
        c.close()


class Functions(unittest.TestCase):
    def test_char(self):
        c = sa()
        r = run(c, "SELECT CHAR(65), CHAR(97) + CHAR(98), CHAR(128), CHAR(233), CHAR(256), CHAR(-1), CHAR(NULL),"
                   " DATALENGTH(CHAR(10))")[0][0]
        self.assertEqual(r, ("A", "ab", "\u20ac", "\u00e9", None, None, None, 1))
        c.close()

    def test_object_id_with_bracket_escape(self):
        c = sa()
        run(c, "USE secdb")
        oid = scalar(c, "SELECT object_id FROM sys.tables WHERE name = N'c]d'")
        self.assertIsNotNone(oid)
        r = run(c, "SELECT OBJECT_ID(N'[s2].[c]]d]'), OBJECT_ID(N'secdb.s2.[c]]d]'), OBJECT_ID(N'[s2].[c]')")[0][0]
        self.assertEqual(r, (oid, oid, None))
        c.close()


class FreeTDS(unittest.TestCase):
    def test_tsql_with_a_sql_login(self):
        name = new_login()
        c = sa()
        run(c, "USE secdb; GRANT SELECT ON dbo.t TO %s" % name)
        c.close()
        p = S.tsql("SELECT SUSER_SNAME() AS l, USER_NAME() AS u, COUNT(*) AS n FROM dbo.t\ngo\n",
                   user=name, password=PW, database="secdb", extra=["-o", "q"])
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [ln.split("\t") for ln in out.splitlines() if ln.strip()]
        self.assertIn(["l", "u", "n"], lines)
        self.assertIn([name, name, "2"], lines)
        p = S.tsql("SELECT 1\ngo\n", user=name, password="Wrong!pass1", extra=["-o", "q"])
        self.assertRegex(p.stderr.decode("utf-8", "replace"),
                         re.escape("Login failed for user '%s'." % name))


if __name__ == "__main__":
    unittest.main(verbosity=2)
