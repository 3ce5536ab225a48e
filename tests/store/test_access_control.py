"""S1: access control on the team store, enforced by PostgreSQL (roles and row-level
security). Every member attacks every other member's data the way someone with psql and
their own login would: direct SQL, not only the CLI. None of it may succeed."""

from __future__ import annotations

import psycopg
import pytest

from callassist.errors import CallAssistError
from callassist.store.floor import FloorFeed

from ..conftest import CORPUS
from .team_roles import MEMBERS, team_store

pytestmark = pytest.mark.postgres


def _report(name: str = "dev-003.json") -> dict:
    from callassist.coach.playbook import load_playbook
    from callassist.coach.session import CallSession
    from callassist.replay import feed_transcript
    from callassist.transcript import load_transcript

    t = load_transcript(CORPUS / name)
    return feed_transcript(t, CallSession(load_playbook())).report()


@pytest.fixture
def team(pg_url):
    """Ana and Bo (team red), Cy (team blue) each save a call; supervisors Sam (red) and Sue
    (blue) note and flag their team's calls."""
    with team_store(pg_url) as team:
        team.calls = {}
        for key in ("ana", "bo", "cy"):
            with team.store(key) as s:
                team.calls[key] = s.save_report(_report(), source=f"{key}.json")
        for sup, agent in (("sam", "ana"), ("sue", "cy")):
            with team.store(sup) as s:
                s.coaching.add_note(team.calls[agent], f"{sup}'s note", author="x")
                s.coaching.set_flag(team.calls[agent], "to do", "x", "coach it")
                s.corrections.add(team.calls[agent], "apologize", "was", "sorry", "x")
        yield team


def test_S1_a_least_privilege_agent_saves_calls_live_and_finished(team):
    with team.store("ana") as s:
        assert s.access.kind == "agent" and s.settings.agent == "Ana Agent"
        rec = s.begin_call(agent="Bo Agent")  # the name sent is not the name stored
        rec.write([{"type": "warning", "kind": "blame", "at": 1.0, "evidence": "the courier",
                    "advice": "own it"},
                   {"type": "transcript", "speaker": "agent", "final": True, "text": "hello",
                    "start": 0.0, "end": 1.0, "words": []}])
        call_id = rec.finish()
        call = s.get_call(call_id)
        assert (call.row.agent, call.row.status, call.row.warnings) == ("Ana Agent", "complete",
                                                                         1)
        assert s.get_call(team.calls["ana"]).row.agent == "Ana Agent"


def _attempt(conn: psycopg.Connection, sql: str, params: tuple = ()) -> int | str:
    """Rows the statement returned or touched, or the error it raised."""
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    try:
        cur = conn.execute(sql, params)
    except psycopg.Error as e:
        return type(e).__name__
    if any("skipping" in n for n in notices):  # VACUUM of a table one does not own
        return "skipped"
    return len(cur.fetchall()) if cur.description is not None else cur.rowcount


READ_OTHERS = [
    "SELECT * FROM calls WHERE id = %(victim)s",
    "SELECT * FROM events WHERE call_id = %(victim)s",
    "SELECT * FROM call_text WHERE call_id = %(victim)s",
    "SELECT * FROM call_warnings WHERE call_id = %(victim)s",
    "SELECT * FROM notes WHERE call_id = %(victim)s",
    "SELECT * FROM flags WHERE call_id = %(victim)s",
    "SELECT * FROM corrections WHERE call_id = %(victim)s",
    "SELECT * FROM members WHERE role_name <> current_user",
]
WRITE_OTHERS = [
    "UPDATE calls SET score = 100, steps_covered = 4 WHERE id = %(victim)s",
    "UPDATE calls SET agent = 'Nobody' WHERE id = %(victim)s",
    "UPDATE events SET data = '{}' WHERE call_id = %(victim)s",
    "UPDATE call_text SET text = 'forged' WHERE call_id = %(victim)s",
    "UPDATE call_warnings SET n = 0 WHERE call_id = %(victim)s",
    "DELETE FROM calls WHERE id = %(victim)s",
    "DELETE FROM events WHERE call_id = %(victim)s",
    "DELETE FROM notes WHERE call_id = %(victim)s",
    "DELETE FROM flags WHERE call_id = %(victim)s",
    "DELETE FROM corrections WHERE call_id = %(victim)s",
    "UPDATE notes SET text = 'forged' WHERE call_id = %(victim)s",
    "UPDATE flags SET status = 'done' WHERE call_id = %(victim)s",
    "INSERT INTO events (call_id, seq, at, type, data) VALUES (%(victim)s, 9999, 0, 'step', "
    "'{}')",
    "INSERT INTO call_warnings (call_id, kind, n) VALUES (%(victim)s, 'forged', 1)",
    "INSERT INTO notes (call_id, at, author, text, created) VALUES (%(victim)s, NULL, "
    "'Supervisor Sam', 'forged', 0)",
    "INSERT INTO flags (call_id, status, author, reason, updated) VALUES (%(victim)s, 'done', "
    "'Supervisor Sam', '', 0)",
    "INSERT INTO corrections (call_id, at, kind, verdict, text, author, created) VALUES "
    "(%(victim)s, 0, 'apologize', 'was', 'forged', 'Supervisor Sam', 0)",
]
# What only an admin may do, whoever's data it touches.
ADMIN_ONLY = [
    "DELETE FROM calls",
    "DELETE FROM calls WHERE id = %(own)s",
    "TRUNCATE calls CASCADE",
    "INSERT INTO store_policy (name, value) VALUES ('retention_days', '1')",
    "UPDATE store_policy SET value = '1'",
    "DELETE FROM store_policy",
    "UPDATE members SET kind = 'admin' WHERE role_name = current_user",
    "INSERT INTO members (role_name, kind, agent, team) VALUES ('x', 'admin', 'X', '')",
    "DELETE FROM members",
    "ALTER TABLE calls DISABLE ROW LEVEL SECURITY",
    "DROP POLICY calls_select ON calls",
    "CREATE POLICY open ON calls FOR SELECT USING (true)",
    "DROP TRIGGER callassist_stamp ON calls",
    "CREATE OR REPLACE FUNCTION callassist_my_kind() RETURNS TEXT LANGUAGE sql AS "
    "$$ SELECT 'admin' $$",
    "CREATE TABLE calls_copy AS SELECT * FROM calls",
    "DROP TABLE notes",
    "VACUUM FULL calls",
]


def _victims(team, key: str) -> list[str]:
    """Every member whose calls `key` may not write: everyone else; for a supervisor, their
    own team's calls may be read, and noted, flagged and corrected."""
    return [k for k in ("ana", "bo", "cy") if k != key]


def test_S1_no_member_reads_writes_or_deletes_what_is_not_theirs(team):
    succeeded, tried = [], 0
    kinds = {k: kind for k, kind, _, _ in MEMBERS}
    teams = {k: t for k, _, _, t in MEMBERS}
    for key in ("ana", "bo", "cy", "sam", "sal", "sue"):
        with team.sql(key) as conn:
            for victim in _victims(team, key):
                own_team = kinds[key] == "supervisor" and teams[victim] == teams[key]
                p = {"victim": team.calls[victim], "own": team.calls.get(key, 0)}
                # A supervisor may note, flag and correct their team's calls, and change or
                # delete their own notes and rulings (Sam's on Ana's call, Sue's on Cy's):
                # Sal, of Sam's team, tries Sam's.
                allowed = ("INSERT INTO notes", "INSERT INTO flags", "INSERT INTO corrections",
                           "UPDATE flags", "DELETE FROM flags")
                if (key, victim) in (("sam", "ana"), ("sue", "cy")):
                    allowed += ("DELETE FROM notes", "DELETE FROM corrections", "UPDATE notes")
                checks = list(WRITE_OTHERS) if not own_team else [
                    w for w in WRITE_OTHERS if not w.startswith(allowed)]
                checks += [] if own_team else READ_OTHERS
                for sql in checks:
                    tried += 1
                    result = _attempt(conn, sql, p)
                    if isinstance(result, int) and result > 0:
                        succeeded.append((key, victim, sql, result))
            for sql in ADMIN_ONLY:
                tried += 1
                result = _attempt(conn, sql, {"own": team.calls.get(key, 0)})
                if isinstance(result, int) and (result > 0 or not sql.startswith(
                        ("DELETE", "UPDATE"))):
                    succeeded.append((key, "admin", sql, result))
    print(f"S1: {tried} attacks by 6 members, {len(succeeded)} succeeded")
    assert tried > 250
    assert succeeded == [], "\n".join(map(str, succeeded))


def test_S1_names_and_authors_come_from_the_database_not_the_client(team):
    """An agent files a call as someone else; a supervisor signs a note, flag or ruling as
    another supervisor: the database writes their own name."""
    with team.sql("cy") as conn:
        conn.execute("INSERT INTO calls (agent, started_at, day, status, retention, team) "
                     "VALUES ('Bo Agent', 0, 0, 'complete', 'full', 'red')")
        conn.execute("UPDATE calls SET agent = 'Bo Agent', team = 'red' WHERE id = %s",
                     (team.calls["cy"],))
        rows = conn.execute("SELECT DISTINCT agent, team FROM calls").fetchall()
    assert rows == [("Cy Agent", "blue")]
    with team.sql("sam") as conn:
        conn.execute("INSERT INTO notes (call_id, at, author, text, created) VALUES "
                     "(%s, NULL, 'Supervisor Sue', 'forged', 0)", (team.calls["ana"],))
        conn.execute("UPDATE flags SET author = 'Supervisor Sue' WHERE call_id = %s",
                     (team.calls["ana"],))
        authors = {r[0] for r in conn.execute(
            "SELECT author FROM notes UNION SELECT author FROM flags "
            "UNION SELECT author FROM corrections").fetchall()}
    assert authors == {"Supervisor Sam"}
    # The CLI says so instead of writing under a name it does not get.
    from callassist.cli import main

    assert main(["calls", "note", str(team.calls["ana"]), "hi", "--author", "Supervisor Sue",
                 "--store", team.url("sam")]) == 2


def test_S1_supervisors_read_their_team_only_and_admins_everything(team):
    with team.store("sam") as s:
        assert set(s.agents()) == {"Ana Agent", "Bo Agent"}
        with pytest.raises(CallAssistError, match="no call"):
            s.get_call(team.calls["cy"])
        with pytest.raises(CallAssistError, match="only the store's admin"):
            s.delete_calls([team.calls["ana"]])
        with pytest.raises(CallAssistError, match="only the store's admin"):
            s.purge(1, override=True)
        with pytest.raises(CallAssistError, match="only the store's admin"):
            s.set_retention_days(1)
    with team.store("cy") as s:
        assert s.agents() == ["Cy Agent"]
    with team.store("ada") as s:
        assert set(s.agents()) == {"Ana Agent", "Bo Agent", "Cy Agent"}
        s.set_retention_days(30)
        assert s.delete_calls([team.calls["bo"]]) == 1
    with team.store("ana") as s:
        assert s.retention_days == 30  # the store's policy is read by all


def test_S1_the_live_floor_channel_carries_only_what_each_role_may_see(team):
    """The notification says nothing (any database user can listen to any channel), and each
    supervisor's floor shows their own team's live calls only."""
    floors = {k: FloorFeed(team.store(k).location) for k in ("sam", "sue")}
    listener = team.sql("cy")
    listener.execute("LISTEN callassist_floor")
    try:
        recorders, stores = {}, []
        for key in ("ana", "cy"):
            stores.append(team.store(key))
            recorders[key] = stores[-1].begin_call()
            recorders[key].write([{"type": "warning", "kind": "blame", "at": 1.0,
                                       "evidence": "the courier", "advice": "own it"}])
        seen = {k: set() for k in floors}
        for _ in range(20):
            for k, feed in floors.items():
                feed.poll(0.2)
                seen[k] |= {c.agent for c in feed.calls.values()}
        assert seen == {"sam": {"Ana Agent"}, "sue": {"Cy Agent"}}
        payloads = [n.payload for n in listener.notifies(timeout=1.0, stop_after=3)]
        assert payloads and set(payloads) == {""}
        for r in recorders.values():
            r.finish()
        for s in stores:
            s.close()
    finally:
        listener.close()
        for f in floors.values():
            f.close()


def test_S3_a_notify_from_any_user_does_not_stop_the_floor(team):
    feed = FloorFeed(team.store("sue").location)
    try:
        cy = team.store("cy")
        rec = cy.begin_call()
        with team.sql("cy") as attacker:
            for payload in ("\u00b2", "9" * 5000, "hello", "", "-1", "1e9"):
                attacker.execute("SELECT pg_notify('callassist_floor', %s)", (payload,))
            # Cy writes garbage into Cy's own live call's events: skipped, not fatal.
            attacker.execute("INSERT INTO events (call_id, seq, at, type, data) VALUES "
                             "(%s, 999, 0, 'warning', 'not json'), "
                             "(%s, 998, 0, 'warning', '[1, 2]')", (rec.call_id, rec.call_id))
        for _ in range(5):
            feed.poll(0.2)
        second = cy.begin_call()  # a call after the garbage: the floor still follows
        second.write([{"type": "warning", "kind": "blame", "at": 1.0, "evidence": "them",
                       "advice": "own it"}])
        alerted = False
        for _ in range(50):
            update = feed.poll(0.2)
            if any(a.agent == "Cy Agent" for a in update.alerts):
                alerted = True
                break
        assert alerted
        second.finish()
        rec.finish()
        cy.close()
    finally:
        feed.close()
