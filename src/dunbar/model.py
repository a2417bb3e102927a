"""The mapped entities: one schema for SQLite and PostgreSQL.

Changed only through numbered Alembic migrations in ``dunbar/store/migrations``; ``tests/store`` fails when
these classes and the migrations disagree.

Times are stored in UTC (``UTCDateTime``); calendar facts (birthdays, employment months, the day a follow-up is
due) are plain dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from dunbar.vocabulary import (  # noqa: F401  (re-exported: the schema's words live where services can load them cheaply)
    CIRCLES,
    IDENTIFIER_KINDS,
    INITIATORS,
    INTERACTION_KINDS,
    new_uid,
    utcnow,
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, always stored as UTC.

    SQLite has no time zone type, so values are stored as naive UTC text ('YYYY-MM-DD HH:MM:SS.ffffff') that
    sorts correctly and that the plain ``sqlite3`` read path parses with ``datetime.fromisoformat``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; dunbar stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Batch(Base):
    """One import run (or one restore, one demo generation): all or nothing, undoable."""

    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # import, restore, demo
    format: Mapped[str | None] = mapped_column(String(32))
    path: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="applied")  # applied, undone
    report: Mapped[str | None] = mapped_column(Text)  # JSON


class Source(Base):
    """Where a fact came from: a file of a batch, or typed by hand."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # manual, linkedin, vcard, google-csv, ics, mbox, json…
    label: Mapped[str] = mapped_column(Text)  # a file name, "typed by hand"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_fold: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_live_name", "deleted_at", "name_fold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    display_name: Mapped[str] = mapped_column(Text)
    name_fold: Mapped[str] = mapped_column(Text, index=True)
    given_name: Mapped[str | None] = mapped_column(Text)
    family_name: Mapped[str | None] = mapped_column(Text)
    nickname: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    how_met: Mapped[str | None] = mapped_column(Text)
    circle: Mapped[str | None] = mapped_column(String(16), index=True)
    cadence_ideal_days: Mapped[int | None] = mapped_column(Integer)
    cadence_max_days: Mapped[int | None] = mapped_column(Integer)
    closeness: Mapped[int | None] = mapped_column(Integer)  # the user's own 0–100 judgement
    connected_on: Mapped[date | None] = mapped_column(Date)  # when the relationship started
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    is_me: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Identifier.id"
    )
    employments: Mapped[list[Employment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Employment.id"
    )
    dates: Mapped[list[ImportantDate]] = relationship(cascade="all, delete-orphan", order_by="ImportantDate.id")
    fields: Mapped[list[Field]] = relationship(cascade="all, delete-orphan", order_by="Field.id")
    notes: Mapped[list[Note]] = relationship(cascade="all, delete-orphan", order_by="Note.id")


class Identifier(Base):
    """An e-mail address, phone number, LinkedIn URL or other link: how a person is reached and recognised."""

    __tablename__ = "identifier"
    __table_args__ = (Index("ix_identifier_kind_norm", "kind", "norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)  # as given
    norm: Mapped[str] = mapped_column(Text)  # lower-cased e-mail, E.164 phone, canonical LinkedIn URL
    label: Mapped[str | None] = mapped_column(String(32))  # work, home, mobile…
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)

    person: Mapped[Person] = relationship(back_populates="identifiers")


class Employment(Base):
    __tablename__ = "employment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)

    person: Mapped[Person] = relationship(back_populates="employments")
    organization: Mapped[Organization] = relationship()


class ImportantDate(Base):
    """A birthday, an anniversary: a month and day, the year when known."""

    __tablename__ = "important_date"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # birthday, anniversary, other
    label: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)


class Field(Base):
    """A custom field: any key the user or an import brings that has no column of its own."""

    __tablename__ = "field"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_fold: Mapped[str] = mapped_column(Text, unique=True)


class PersonTag(Base):
    __tablename__ = "person_tag"
    __table_args__ = (Index("ix_person_tag_tag_id", "tag_id", "person_id"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)


class Interaction(Base):
    """Something that happened between me and one or more people."""

    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_external", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    initiator: Mapped[str | None] = mapped_column(String(8))  # me, them, or unknown
    summary: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)  # large meetings and bulk threads weigh little
    external_id: Mapped[str | None] = mapped_column(Text)  # Message-ID, calendar UID…: re-imports match on it
    thread: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participants: Mapped[list[Participant]] = relationship(cascade="all, delete-orphan")


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (Index("ix_participant_person", "person_id", "interaction_id"),)

    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(16))  # from, to, cc, attendee, organizer


class FollowUp(Base):
    """A promise or reminder tied to a person and a date."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done, cancelled
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Small per-database settings as JSON values (who "me" is, cadences…)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SearchDoc(Base):
    """The folded text that full-text search indexes: one row per person, note and interaction.

    SQLite indexes ``body`` with an FTS5 external-content table (``search_fts``), PostgreSQL with a GIN index on
    ``to_tsvector('simple', body)``; both are created by the migrations, outside this metadata.
    """

    __tablename__ = "search_doc"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # person, note, interaction
    ref_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)


class Alternate(Base):
    """A value that conflicted with the one kept (another spelling of a name, an older location): never lost."""

    __tablename__ = "alternate"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    attribute: Mapped[str] = mapped_column(String(64))  # name, location, title, field:KEY…
    value: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)


class BatchChange(Base):
    """A value a batch filled in on a row it did not create, so that undoing the batch can put it back."""

    __tablename__ = "batch_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)  # JSON


class MergeCandidate(Base):
    """Two people who may be one: the review queue of ``dunbar dedupe``; a decision is remembered."""

    __tablename__ = "merge_candidate"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)  # JSON list of reasons
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, merged, apart
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Merge(Base):
    """One merge of a person into another, with what moved, so that it can be undone."""

    __tablename__ = "merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    moved: Mapped[str] = mapped_column(Text)  # JSON: {table: [row ids]} and the values filled in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonStats(Base):
    """Running totals of a person's interaction history, kept up to date on every change so that strength can be
    computed for everyone without reading the history (see dunbar.scoring)."""

    __tablename__ = "person_stats"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    n_total: Mapped[int] = mapped_column(Integer, default=0)
    n_me: Mapped[int] = mapped_column(Integer, default=0)  # started by me
    n_them: Mapped[int] = mapped_column(Integer, default=0)  # started by them
    weight_total: Mapped[float] = mapped_column(Float, default=0.0)
    decay_sum: Mapped[float] = mapped_column(Float, default=0.0)  # sum of weight * 2**((t - epoch) / half-life)
    half_life_days: Mapped[float] = mapped_column(Float)
    kinds_mask: Mapped[int] = mapped_column(Integer, default=0)  # one bit per interaction kind: multiplexity
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaState(Base):
    """What the user did with a suggestion: snoozed until, skipped on, when it was last suggested."""

    __tablename__ = "agenda_state"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    skipped_on: Mapped[date | None] = mapped_column(Date)
    last_suggested_on: Mapped[date | None] = mapped_column(Date)
    times_suggested: Mapped[int] = mapped_column(Integer, default=0)


class Favour(Base):
    """Something given or received: an introduction, a referral, advice… The ledger of who owes whom."""

    __tablename__ = "favour"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(16))  # given (by me to them), received (by me from them)
    kind: Mapped[str] = mapped_column(String(32))  # introduction, referral, advice, recommendation, feedback…
    status: Mapped[str] = mapped_column(String(16))  # asked, promised, done, declined
    weight: Mapped[int] = mapped_column(Integer, default=2)  # 1 small, 2 medium, 3 large
    asked_on: Mapped[date | None] = mapped_column(Date)
    promised_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FavourParty(Base):
    """Other people a favour involves (an introduction involves three: me, the one asked for, the one introduced)."""

    __tablename__ = "favour_party"

    favour_id: Mapped[int] = mapped_column(ForeignKey("favour.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))  # introduced-to, beneficiary, referred-by…


class OfferNeed(Base):
    """What a person can help with (offer) or is looking for now (need); needs expire."""

    __tablename__ = "offer_need"
    __table_args__ = (Index("ix_offer_need_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # offer, need
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, suggested, dismissed, done
    since: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tie(Base):
    """Person-to-person knowledge ("Ana knows Bo"): explicit, or inferred with its evidence."""

    __tablename__ = "tie"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # explicit, inferred
    how: Mapped[str | None] = mapped_column(Text)
    strength: Mapped[float] = mapped_column(Float, default=0.5)  # 0..1
    evidence: Mapped[str | None] = mapped_column(Text)  # JSON list of reasons
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, confirmed, rejected
    since: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Target(Base):
    """An organization the user wants to work at, and why."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), unique=True)
    why: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, dropped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Opportunity(Base):
    """A job the user pursues: where, what, through which channel, how far it got."""

    __tablename__ = "opportunity"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32))  # referral, warm-intro, recruiter, cold, other
    stage: Mapped[str] = mapped_column(String(16), index=True)  # the current stage (the newest of its stages)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpportunityStage(Base):
    """One step of an opportunity, with its date: saved, applied, screen, interview, offer, accepted…"""

    __tablename__ = "opportunity_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class OpportunityPerson(Base):
    """Someone linked to an opportunity: the referrer, the hiring manager, an interviewer."""

    __tablename__ = "opportunity_person"

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))


ALL_TABLES: list[Any] = [m.__table__ for m in Base.__subclasses__()]
