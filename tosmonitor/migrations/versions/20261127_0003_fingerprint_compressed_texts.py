"""check.fingerprint, and version texts and word diffs stored zlib-compressed

An unchanged page is recognised without converting it again (``check.fingerprint``); ``version.text``
and ``change_clause.diff`` become zlib-compressed blobs (existing rows are re-encoded in place).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 18:00:00
"""

import json
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVEL = 6
BATCH = 200


def _compress_text(value: str) -> bytes:
    return zlib.compress(value.encode("utf-8"), LEVEL)


def _compress_json(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), LEVEL)


def _recode(
    table: str, column: str, old_type: sa.types.TypeEngine, new_type: sa.types.TypeEngine, convert: Callable[[Any], Any]
) -> None:
    """Replace ``column`` by a column of ``new_type`` holding ``convert(old value)``, row by row in batches."""
    staging = f"{column}_recoded"
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column(staging, new_type, nullable=True))
    rows = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, old_type), sa.column(staging, new_type))
    bind = op.get_bind()
    last_id = 0
    while True:
        batch = bind.execute(
            sa.select(rows.c.id, rows.c[column]).where(rows.c.id > last_id).order_by(rows.c.id).limit(BATCH)
        ).all()
        if not batch:
            break
        for row_id, value in batch:
            bind.execute(rows.update().where(rows.c.id == row_id).values({staging: convert(value)}))
        last_id = batch[-1][0]
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_column(column)
        batch_op.alter_column(staging, new_column_name=column, existing_type=new_type, nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
    _recode("version", "text", sa.Text(), sa.LargeBinary(), _compress_text)
    _recode("change_clause", "diff", sa.JSON(), sa.LargeBinary(), _compress_json)


def downgrade() -> None:
    _recode("change_clause", "diff", sa.LargeBinary(), sa.JSON(), lambda value: json.loads(zlib.decompress(value)))
    _recode("version", "text", sa.LargeBinary(), sa.Text(), lambda value: zlib.decompress(value).decode("utf-8"))
    with op.batch_alter_table("check", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
