"""A team store with access control on the real PostgreSQL server, its members' roles made
for one test (role names are the server's, not the schema's: each test has its own, dropped
after it)."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field

import psycopg

from callassist.settings import Settings
from callassist.store import open_store
from callassist.store.access import add_member, setup_roles

# (key, kind, stored name, team)
MEMBERS = (
    ("ana", "agent", "Ana Agent", "red"),
    ("bo", "agent", "Bo Agent", "red"),
    ("cy", "agent", "Cy Agent", "blue"),
    ("sam", "supervisor", "Supervisor Sam", "red"),
    ("sal", "supervisor", "Supervisor Sal", "red"),
    ("sue", "supervisor", "Supervisor Sue", "blue"),
    ("ada", "admin", "Admin Ada", ""),
)


@dataclass
class Team:
    admin_url: str  # the server's superuser, who set it up
    prefix: str
    roles: dict[str, str] = field(default_factory=dict)  # key -> role name
    names: dict[str, str] = field(default_factory=dict)  # key -> stored name

    def url(self, key: str) -> str:
        return re.sub(r"//[^@/]*@", f"//{self.roles[key]}@", self.admin_url, count=1)

    def store(self, key: str, **kw):
        return open_store(self.url(key), settings=Settings(agent=f"settings name of {key}"), **kw)

    def sql(self, key: str) -> psycopg.Connection:
        """A raw connection as this member, as an attacker with psql would have."""
        return psycopg.connect(self.url(key), autocommit=True)


@contextlib.contextmanager
def team_store(pg_url: str):
    tag = uuid.uuid4().hex[:8]
    team = Team(pg_url, f"ca{tag}")
    with open_store(pg_url, settings=Settings(agent="Setup")) as store:
        setup_roles(store.conn, team.prefix)
        for key, kind, name, group in MEMBERS:
            role = f"{key}_{tag}"
            add_member(store.conn, role, kind, name, group)
            team.roles[key], team.names[key] = role, name
    try:
        yield team
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            schema = conn.execute("SELECT current_schema()").fetchone()[0]
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            for role in [*team.roles.values(),
                         *(f"{team.prefix}_{k}" for k in ("admin", "agent", "supervisor"))]:
                with contextlib.suppress(psycopg.Error):
                    conn.execute(f'DROP OWNED BY "{role}"')
                    conn.execute(f'DROP ROLE "{role}"')
