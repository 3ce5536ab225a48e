"""Who may do what on a team store: PostgreSQL roles and row-level security, enforced by the
database itself, so no client (a changed settings file, `--author`, direct SQL) can get round
it (S1). Set up once by an admin (`callassist store setup-roles`, then `store add-agent`,
`add-supervisor`, `add-admin`); see docs/team-store-security.md.

Three group roles per store (`PREFIX_admin`, `PREFIX_agent`, `PREFIX_supervisor`; PREFIX is
`callassist` unless the admin names another, e.g. for two stores on one server). The tables
belong to `PREFIX_admin`, so its members (the admins) may do anything, VACUUM included. Every
login role is listed in `members` with its kind, the name its calls and notes are stored under
and its team:

- an agent reads and writes its own calls only (its name comes from `members`: a trigger sets
  it on every call it writes, whatever the client sent);
- a supervisor reads the calls of their team and writes notes, flags and corrections on them,
  authored under their own name (the trigger again), and records their own calls;
- only an admin deletes calls, purges them or changes the store's retention.

Nothing here needs a SECURITY DEFINER function: each role reads only its own row of `members`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callassist.store.db import Connection, PostgresConnection, StoreError
from callassist.store.migrations import migrate, table_exists

KINDS = ("agent", "supervisor", "admin")
DEFAULT_PREFIX = "callassist"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")

# Tables a call's data lives in, and what each kind may do there (besides reading).
CALL_DATA = ("events", "call_text", "call_warnings")
COACHING = ("notes", "flags", "corrections")
READ_ONLY = ("schema_version", "store_policy", "members")


@dataclass(frozen=True)
class Member:
    role: str
    kind: str  # one of KINDS
    agent: str  # the name this role's calls and notes are stored under
    team: str


def _q(name: str) -> str:
    """A role or prefix, checked: it is written into SQL as an identifier."""
    if not _ROLE.match(name):
        raise StoreError(f"'{name}' is not a usable role name: lower-case letters, digits and _, "
                         "starting with a letter (at most 50)")
    return f'"{name}"'


def controlled(conn: Connection) -> bool:
    """Whether this store has access control (a PostgreSQL store set up by its admin)."""
    return conn.dialect == "postgresql" and table_exists(conn, "members")


def whoami(conn: Connection) -> Member | None:
    """This connection's member row; an admin (or the tables' owner, or a superuser) that has
    none is an admin by name of their role. None on a store without access control."""
    if not controlled(conn):
        return None
    rows = conn.execute("SELECT role_name, kind, agent, team FROM members "
                        "WHERE role_name = current_user")
    if rows:
        return Member(*rows[0])
    owner = _owner(conn)
    if conn.execute("SELECT rolsuper OR pg_has_role(current_user, ?, 'USAGE') FROM pg_roles "
                    "WHERE rolname = current_user", (owner,))[0][0]:
        name = str(conn.execute("SELECT current_user")[0][0])
        return Member(name, "admin", name, "")
    raise StoreError(
        f"database role {conn.execute('SELECT current_user')[0][0]} is not a member of this "
        "team store: ask its admin to run `callassist store add-agent` for it")


def _owner(conn: Connection) -> str:
    rows = conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename = 'calls'")
    return str(rows[0][0]) if rows else ""


def _prefix(conn: Connection) -> str:
    owner = _owner(conn)
    if not owner.endswith("_admin"):
        raise StoreError("this team store has no roles yet: run `callassist store setup-roles` "
                         "first")
    return owner[: -len("_admin")]


def _role_exists(conn: Connection, role: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)))


def setup_roles(conn: Connection, prefix: str = DEFAULT_PREFIX) -> str:
    """Creates the store if needed, its three group roles, and the row-level security that
    binds them; safe to run again (after an upgrade adds tables, for instance). Needs a role
    that may create roles and owns the tables (or a superuser). Returns the admin group."""
    if conn.dialect != "postgresql":
        raise StoreError("access control is for a team store on PostgreSQL; a local store is "
                         "protected by its file's permissions (0600)")
    _q(prefix)
    migrate(conn)
    admin, agent, sup = (f"{prefix}_{k}" for k in ("admin", "agent", "supervisor"))
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(4242002)")
        for role in (admin, agent, sup):
            if not _role_exists(conn, role):
                conn.execute(f"CREATE ROLE {_q(role)} NOLOGIN")
        me = conn.execute("SELECT current_user, rolsuper FROM pg_roles "
                          "WHERE rolname = current_user")[0]
        if not me[1]:
            # Whoever sets it up stays able to run it again (and to add members).
            conn.execute(f"GRANT {_q(admin)} TO {_q(str(me[0]))}")
        if not table_exists(conn, "members"):
            conn.execute("""CREATE TABLE members (
                role_name TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('agent', 'supervisor', 'admin')),
                agent TEXT NOT NULL UNIQUE,
                team TEXT NOT NULL DEFAULT ''
            )""")
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        for t in tables:
            conn.execute(f"ALTER TABLE {t} OWNER TO {_q(admin)}")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA {_schema(conn)} TO {_q(admin)}")
        conn.execute(f"GRANT USAGE ON SCHEMA {_schema(conn)} TO {_q(agent)}, {_q(sup)}")
        _functions(conn, admin)
        _policies(conn, tables)
        both = f"{_q(agent)}, {_q(sup)}"
        for t in tables:
            conn.execute(f"REVOKE ALL ON {t} FROM PUBLIC, {both}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE ON calls, {', '.join(CALL_DATA)} TO {both}")
        conn.execute(f"GRANT SELECT ON {', '.join((*COACHING, *READ_ONLY))} TO {both}")
        conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(COACHING)} TO {_q(sup)}")
        conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_schema(conn)} TO {both}")
    return admin


def _schema(conn: Connection) -> str:
    return '"' + str(conn.execute("SELECT current_schema()")[0][0]).replace('"', '""') + '"'


def _functions(conn: Connection, admin: str) -> None:
    """Who the caller is (their own row of members), and the trigger that stamps their name
    and team on what they write. Invoker's rights: each role reads only its own row."""
    for what in ("kind", "agent", "team"):
        conn.execute(
            f"CREATE OR REPLACE FUNCTION callassist_my_{what}() RETURNS TEXT LANGUAGE sql "
            f"STABLE SET search_path FROM CURRENT AS $$ SELECT {what} FROM members "
            "WHERE role_name = current_user $$")
    # An admin (or the tables' owner) may file a call or a note under any name (an import);
    # an agent's or supervisor's name, and a call's team, come from members, whatever the
    # client sent, and never change.
    conn.execute("""CREATE OR REPLACE FUNCTION callassist_stamp_call() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF callassist_my_kind() IN ('agent', 'supervisor') THEN
                IF TG_OP = 'UPDATE' THEN
                    NEW.agent := OLD.agent;
                    NEW.team := OLD.team;
                ELSE
                    NEW.agent := callassist_my_agent();
                    NEW.team := callassist_my_team();
                END IF;
            END IF;
            RETURN NEW;
        END $$""")
    conn.execute("""CREATE OR REPLACE FUNCTION callassist_stamp_author() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF callassist_my_kind() IN ('agent', 'supervisor') THEN
                NEW.author := callassist_my_agent();
            END IF;
            RETURN NEW;
        END $$""")
    for fn in ("callassist_my_kind()", "callassist_my_agent()", "callassist_my_team()",
               "callassist_stamp_call()", "callassist_stamp_author()"):
        conn.execute(f"ALTER FUNCTION {fn} OWNER TO {_q(admin)}")
    conn.execute("DROP TRIGGER IF EXISTS callassist_stamp ON calls")
    conn.execute("CREATE TRIGGER callassist_stamp BEFORE INSERT OR UPDATE ON calls "
                 "FOR EACH ROW EXECUTE FUNCTION callassist_stamp_call()")
    for t in COACHING:
        conn.execute(f"DROP TRIGGER IF EXISTS callassist_stamp ON {t}")
        conn.execute(f"CREATE TRIGGER callassist_stamp BEFORE INSERT OR UPDATE ON {t} "
                     "FOR EACH ROW EXECUTE FUNCTION callassist_stamp_author()")


# Rows each kind may see and write; admins own the tables and pass every policy.
_MINE = "agent = callassist_my_agent()"
_TEAM = ("(callassist_my_kind() = 'supervisor' AND team <> '' "
         "AND team = callassist_my_team())")
_VISIBLE_CALL = "call_id IN (SELECT id FROM calls)"  # calls' own policy applies inside
_OWN_CALL = "call_id IN (SELECT id FROM calls WHERE agent = callassist_my_agent())"
_SUPERVISES = ("callassist_my_kind() = 'supervisor' AND call_id IN "
               f"(SELECT id FROM calls WHERE {_TEAM})")


def _policies(conn: Connection, tables: list[str]) -> None:
    policies: dict[str, list[tuple[str, str, str | None]]] = {
        # (command, USING, WITH CHECK)
        "calls": [("SELECT", f"{_MINE} OR {_TEAM}", None), ("INSERT", "", _MINE),
                  ("UPDATE", _MINE, _MINE)],
        **{t: [("SELECT", _VISIBLE_CALL, None), ("INSERT", "", _OWN_CALL),
               ("UPDATE", _OWN_CALL, _OWN_CALL)] for t in CALL_DATA},
        "notes": [("SELECT", _VISIBLE_CALL, None), ("INSERT", "", _SUPERVISES),
                  ("UPDATE", f"{_SUPERVISES} AND author = callassist_my_agent()", _SUPERVISES),
                  ("DELETE", f"{_SUPERVISES} AND author = callassist_my_agent()", None)],
        "flags": [("SELECT", _VISIBLE_CALL, None), ("INSERT", "", _SUPERVISES),
                  ("UPDATE", _SUPERVISES, _SUPERVISES), ("DELETE", _SUPERVISES, None)],
        "corrections": [("SELECT", _VISIBLE_CALL, None), ("INSERT", "", _SUPERVISES),
                        ("UPDATE", f"{_SUPERVISES} AND author = callassist_my_agent()",
                         _SUPERVISES),
                        ("DELETE", f"{_SUPERVISES} AND author = callassist_my_agent()", None)],
        "members": [("SELECT", "role_name = current_user", None)],
        "store_policy": [("SELECT", "true", None)],
        "schema_version": [("SELECT", "true", None)],
    }
    for t in tables:
        for name, in conn.execute("SELECT policyname FROM pg_policies WHERE schemaname = "
                                  "current_schema() AND tablename = ?", (t,)):
            conn.execute(f'DROP POLICY "{name}" ON {t}')
        # A table this version does not know yet stays closed to all but admins.
        conn.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        for command, using, check in policies.get(t, []):
            sql = f"CREATE POLICY {t}_{command.lower()} ON {t} FOR {command}"
            if using:
                sql += f" USING ({using})"
            if check:
                sql += f" WITH CHECK ({check})"
            conn.execute(sql)


def add_member(conn: Connection, role: str, kind: str, name: str, team: str = "",
               password: str | None = None) -> Member:
    """Creates the login role if it does not exist (with `password`, if given), makes it a
    member of the store as `kind`, stored under `name` in `team`. Calls already stored under
    that name join the team."""
    if kind not in KINDS:
        raise StoreError(f"unknown kind '{kind}' (one of {', '.join(KINDS)})")
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("a member needs the name their calls are stored under (--name)")
    if kind == "supervisor" and not team:
        raise StoreError("a supervisor needs a team (--team): it is what they may read")
    _q(role)
    group = f"{_prefix(conn)}_{kind}"
    with conn.transaction():
        if not _role_exists(conn, role):
            conn.execute(f"CREATE ROLE {_q(role)} LOGIN")
        if password is not None and isinstance(conn, PostgresConnection):
            from psycopg import sql

            conn.execute_composed(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
        for other in KINDS:  # one kind at a time: a change of kind takes the old one away
            r = f"{_prefix(conn)}_{other}"
            conn.execute(f"{'GRANT' if r == group else 'REVOKE'} {_q(r)} "
                         f"{'TO' if r == group else 'FROM'} {_q(role)}")
        taken = conn.execute("SELECT role_name FROM members WHERE agent = ? AND role_name <> ?",
                             (name, role))
        if taken:
            raise StoreError(f"the name '{name}' is already role {taken[0][0]}'s; each member "
                             "has a name of their own")
        conn.execute("INSERT INTO members (role_name, kind, agent, team) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (role_name) DO UPDATE SET kind = excluded.kind, "
                     "agent = excluded.agent, team = excluded.team", (role, kind, name, team))
        if team:
            conn.execute("UPDATE calls SET team = ? WHERE agent = ?", (team, name))
    return Member(role, kind, name, team)


def members(conn: Connection) -> list[Member]:
    return [Member(*r) for r in conn.execute(
        "SELECT role_name, kind, agent, team FROM members ORDER BY kind, team, agent")]
