"""Migrations carry existing data: 0003 re-encodes version texts and word diffs, and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, select, text

from tosmonitor.store import transaction
from tosmonitor.store.db import migrate
from tosmonitor.store.models import ChangeClause, Version

TEXT_V1 = (
    "# Terms\n\n"
    + "You may not misuse the service. " * 20
    + "\n\nThese terms are governed by the laws of Ireland. Ääkköset: “quotes” — dash.\n"
)
TEXT_V2 = TEXT_V1.replace("Ireland", "the State of California")
DIFF = [[0, "These terms are governed by the laws of "], [-1, "Ireland"], [1, "the State of California"], [0, "."]]
WHEN = datetime(2025, 1, 1, tzinfo=UTC)


def insert_history_at_0002(engine: Engine) -> None:
    """Two versions and one modified clause, written with the 0002 schema's plain columns."""
    with engine.begin() as db:
        db.execute(text("INSERT INTO service (id, name, declaration_file) VALUES ('x', 'X', '')"))
        db.execute(
            text(
                "INSERT INTO document (id, service_id, type, url, declaration_hash, declared) "
                "VALUES (1, 'x', 'Terms of Service', 'https://x.example/tos', 'h', true)"
            )
        )
        for number, body in ((1, TEXT_V1), (2, TEXT_V2)):
            db.execute(
                text(
                    "INSERT INTO version (id, document_id, number, fetched_at, text, text_hash, snapshot_ids, "
                    "source, technical, declaration_hash) VALUES (:n, 1, :n, :when, :text, :hash, '[]', 'crawl', "
                    "false, 'h')"
                ),
                {"n": number, "when": WHEN, "text": body, "hash": f"hash{number}"},
            )
        db.execute(
            text(
                "INSERT INTO change (id, document_id, from_version_id, to_version_id, created_at, technical, "
                "added, removed, modified, moved, severity, topics) "
                "VALUES (1, 1, 1, 2, :when, false, 0, 0, 1, 0, 'high', '[]')"
            ),
            {"when": WHEN},
        )
        db.execute(
            text(
                "INSERT INTO change_clause (id, change_id, position, kind, old_text, new_text, diff, topics, "
                "severity, matches, statements) VALUES (1, 1, 0, 'modified', 'a', 'b', :diff, '[]', 'high', '{}', "
                "'[]')"
            ),
            {"diff": json.dumps(DIFF)},
        )


def test_0003_keeps_texts_and_diffs_through_upgrade_and_downgrade(engine: Engine) -> None:
    migrate(engine, "0002", down=True)
    insert_history_at_0002(engine)
    migrate(engine, "head")
    with transaction(engine) as session:
        assert [v.text for v in session.scalars(select(Version).order_by(Version.number))] == [TEXT_V1, TEXT_V2]
        assert session.scalars(select(ChangeClause)).one().diff == DIFF
        stored = session.execute(text("SELECT text FROM version WHERE number = 2")).scalar_one()
        assert isinstance(stored, bytes | memoryview) and len(bytes(stored)) < len(TEXT_V2.encode())
    migrate(engine, "0002", down=True)
    with engine.connect() as db:
        assert db.execute(text("SELECT text FROM version ORDER BY number")).scalars().all() == [TEXT_V1, TEXT_V2]
        diff = db.execute(text("SELECT diff FROM change_clause")).scalar_one()
        assert (json.loads(diff) if isinstance(diff, str) else diff) == DIFF
