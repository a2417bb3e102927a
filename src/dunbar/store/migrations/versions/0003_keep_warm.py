"""Keeping relationships warm: running interaction totals per person (for strength) and the agenda's memory.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:14:25.449793
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agenda_state",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("skipped_on", sa.Date(), nullable=True),
        sa.Column("last_suggested_on", sa.Date(), nullable=True),
        sa.Column("times_suggested", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_agenda_state_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_agenda_state")),
    )
    op.create_table(
        "person_stats",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("n_total", sa.Integer(), nullable=False),
        sa.Column("n_me", sa.Integer(), nullable=False),
        sa.Column("n_them", sa.Integer(), nullable=False),
        sa.Column("weight_total", sa.Float(), nullable=False),
        sa.Column("decay_sum", sa.Float(), nullable=False),
        sa.Column("half_life_days", sa.Float(), nullable=False),
        sa.Column("kinds_mask", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_stats_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_stats")),
    )


def downgrade() -> None:
    raise NotImplementedError("dunbar does not downgrade a database; restore the copy kept before upgrading")
