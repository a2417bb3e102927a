"""Give and take, and who knows whom: the favour ledger, offers and needs, person-to-person ties.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:21:07.462878
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "favour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=True),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_favour_interaction_id_interaction"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_favour_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_favour_source_id_source"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favour")),
        sa.UniqueConstraint("uid", name=op.f("uq_favour_uid")),
    )
    with op.batch_alter_table("favour", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_favour_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_favour_source_id"), ["source_id"], unique=False)

    op.create_table(
        "offer_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_offer_need_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_offer_need_source_id_source"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_need")),
    )
    with op.batch_alter_table("offer_need", schema=None) as batch_op:
        batch_op.create_index("ix_offer_need_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_need_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_need_source_id"), ["source_id"], unique=False)

    op.create_table(
        "tie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("how", sa.Text(), nullable=True),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_a_id"], ["person.id"], name=op.f("fk_tie_person_a_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"], ["person.id"], name=op.f("fk_tie_person_b_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_tie_source_id_source"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tie")),
        sa.UniqueConstraint("person_a_id", "person_b_id", name=op.f("uq_tie_person_a_id_person_b_id")),
    )
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_person_a_id"), ["person_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tie_person_b_id"), ["person_b_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tie_source_id"), ["source_id"], unique=False)

    op.create_table(
        "favour_party",
        sa.Column("favour_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["favour_id"], ["favour.id"], name=op.f("fk_favour_party_favour_id_favour"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_favour_party_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("favour_id", "person_id", name=op.f("pk_favour_party")),
    )
    with op.batch_alter_table("favour_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_favour_party_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("dunbar does not downgrade a database; restore the copy kept before upgrading")
