"""The JSON shapes of the API: what the service functions return, declared so the OpenAPI document is exact.

The shapes follow docs/json.md (the CLI's ``--json``); a model never adds logic, at most it reads a stored time
the way the store does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from dunbar.store.db import to_datetime

Circle = Literal["inner", "close", "active", "network", "acquaintance", "dormant"]
Kind = Literal["meeting", "call", "video", "email", "message", "event", "note"]
Initiator = Literal["me", "them"]
StoredTime = Annotated[datetime | None, BeforeValidator(to_datetime)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _written_out(pattern: re.Pattern[str], example: str) -> Any:
    # Pydantic would take a number ("0") as a Unix time; a date in this API is always written out (ISO 8601).
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"expected an ISO 8601 {example}")
        if isinstance(value, int | float):
            raise ValueError(f"expected an ISO 8601 {example}")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[date, _written_out(_ISO_DATE, "date like 2026-11-25")]
IsoDateTime = Annotated[AwareDatetime, _written_out(_ISO_TIME, "time like 2026-11-25T09:30:00Z")]

# Text a person types: bounded, so a runaway client cannot post megabytes into one field.
Text = Annotated[str, Field(max_length=10_000)]
Short = Annotated[str, Field(max_length=500)]
Word = Annotated[str, Field(min_length=1, max_length=500)]  # a name, a tag, a reference: never empty
Said = Annotated[str, Field(min_length=1, max_length=10_000)]  # a note or a summary: never empty


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# People ----------------------------------------------------------------------------------------------------


class PersonRef(Model):
    id: int
    name: str | None


class Email(Model):
    address: str
    label: str | None
    primary: bool
    source: str | None


class Phone(Model):
    number: str
    label: str | None
    primary: bool
    source: str | None


class Link(Model):
    url: str
    kind: str
    label: str | None
    source: str | None


class Employment(Model):
    organization: str
    title: str | None
    start: date | None
    end: date | None
    current: bool
    source: str | None


class ImportantDate(Model):
    kind: str
    label: str | None
    year: int | None
    month: int
    day: int


class Note(Model):
    id: int
    body: str
    created_at: StoredTime
    source: str | None


class Cadence(Model):
    ideal_days: int | None
    max_days: int | None


class Person(Model):
    """Everything about one person (``people.get_person``)."""

    id: int
    uid: str
    name: str
    given_name: str | None
    family_name: str | None
    nickname: str | None
    is_me: bool
    location: str | None
    how_met: str | None
    circle: str | None
    cadence: Cadence
    closeness: int | None
    connected_on: date | None
    last_contact_at: StoredTime
    emails: list[Email]
    phones: list[Phone]
    links: list[Link]
    employments: list[Employment]
    dates: list[ImportantDate]
    fields: dict[str, str]
    tags: list[str]
    notes: list[Note]
    source: str | None
    created_at: StoredTime
    updated_at: StoredTime
    deleted_at: StoredTime


class PersonListItem(Model):
    """One line of a list of people (``people.list_people``)."""

    id: int
    name: str
    circle: str | None
    organization: str | None
    title: str | None
    last_contact_at: StoredTime
    tags: list[str]


class PersonInput(Model):
    """What a new person has, or what an edit changes. Omitted or null leaves a value alone; "" clears a text
    field. E-mails, phones and links are added (``work:ana@acme.com`` gives a label)."""

    model_config = ConfigDict(extra="forbid")

    name: Short | None = None
    given_name: Short | None = None
    family_name: Short | None = None
    nickname: Short | None = None
    location: Short | None = None
    how_met: Text | None = None
    circle: Circle | Literal[""] | None = Field(default=None, description='A circle, or "" to clear it')
    cadence_ideal_days: int | None = Field(default=None, ge=1, le=36_500)
    cadence_max_days: int | None = Field(default=None, ge=1, le=36_500)
    closeness: int | None = Field(default=None, ge=0, le=100)
    connected_on: IsoDate | None = None
    emails: list[Short] = Field(default_factory=list, max_length=100)
    phones: list[Short] = Field(default_factory=list, max_length=100)
    links: list[Short] = Field(default_factory=list, max_length=100)
    remove_identifiers: list[Short] = Field(default_factory=list, max_length=100)
    organization: Short | None = Field(default=None, description="A current job at this organization")
    title: Short | None = None
    job_start: IsoDate | None = None
    left_organization: Short | None = Field(default=None, description="End the current job there")
    birthday: Short | None = Field(default=None, description="YYYY-MM-DD, or MM-DD when the year is unknown")
    fields: dict[Short, Text | None] = Field(default_factory=dict, description="Custom fields; null removes one")
    tags: list[Short] = Field(default_factory=list, max_length=100)


class NewPerson(PersonInput):
    name: Word


class TagsInput(Model):
    model_config = ConfigDict(extra="forbid")

    tags: list[Word] = Field(min_length=1, max_length=100)


class TagsResult(Model):
    changed: int = Field(description="How many tags were added or removed")
    tags: list[str] = Field(description="The person's tags now")


class NoteInput(Model):
    model_config = ConfigDict(extra="forbid")

    body: Said


# Interactions ----------------------------------------------------------------------------------------------


class Interaction(Model):
    id: int
    uid: str
    occurred_at: StoredTime
    kind: str
    initiator: str | None
    summary: str
    weight: float
    with_: list[PersonRef] = Field(alias="with", description="The other people in it")


class InteractionDetail(Interaction):
    external_id: str | None
    thread: str | None
    source_id: int | None
    created_at: StoredTime


class PersonDetail(Person):
    recent: list[Interaction] = Field(description="The last few interactions, newest first")


class InteractionInput(Model):
    model_config = ConfigDict(extra="forbid")

    summary: Said
    people: list[Annotated[int, Field(ge=1, le=2**31 - 1)] | Word] = Field(
        min_length=1,
        max_length=200,
        description='Who it was with: ids, or references as the CLI takes them ("#12", an e-mail, a name)',
    )
    kind: Kind = "meeting"
    occurred_at: IsoDateTime | None = Field(default=None, description="When it happened (now when omitted)")
    initiator: Initiator | None = Field(default="me", description="Who started it; null when unknown")
    weight: float = Field(default=1.0, ge=0, le=100, allow_inf_nan=False)


class Timeline(Model):
    """A page of a timeline, newest first: pass ``next_before`` as ``before`` for the following page."""

    items: list[Interaction]
    limit: int
    before: datetime | None
    next_before: datetime | None


# Search ----------------------------------------------------------------------------------------------------


class Hit(Model):
    kind: Literal["person", "note", "interaction"]
    id: int
    rank: float
    people: list[PersonRef]
    snippet: str = Field(description="The matching text with the matched words in [brackets]")
    occurred_at: StoredTime


# Imports ---------------------------------------------------------------------------------------------------


class ImportReport(Model):
    """What an import did (or, with dry_run, would do)."""

    model_config = ConfigDict(extra="allow")

    format: str
    path: str
    dry_run: bool
    batch_id: int | None
    read: int
    created: int
    merged: int
    unchanged: int
    rejected: int
    people_created: int
    interactions_created: int
    review_queued: int
    ignored_bulk: int
    rejects: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    already_imported: int | None
    rejects_file: str | None
    seconds: float


class Batch(Model):
    id: int
    kind: str | None
    format: str | None
    path: str | None
    status: str
    started_at: StoredTime
    counts: dict[str, int | None]


# Dedupe and merge ------------------------------------------------------------------------------------------


class Candidate(Model):
    id: int
    score: float
    evidence: list[Any]
    status: str
    a: Person
    b: Person
    batch_id: int | None
    created_at: StoredTime
    decided_at: StoredTime


class DecisionInput(Model):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["merge", "apart"]
    keep: Literal["a", "b"] = Field(default="a", description="Which of the pair survives a merge")


class Decision(Model):
    id: int
    status: str
    merge_id: int | None
    survivor_id: int | None
    merged_id: int | None


class MergeInput(Model):
    model_config = ConfigDict(extra="forbid")

    survivor: int = Field(ge=1, le=2**31 - 1, description="The person who stays")
    merged: int = Field(ge=1, le=2**31 - 1, description="The person merged into them")


class Merge(Model):
    id: int
    survivor: PersonRef
    merged: PersonRef
    created_at: StoredTime
    undone_at: StoredTime
    moved: dict[str, int]
    removed: dict[str, int]
    filled: list[str]
    alternates: list[dict[str, Any]]


# Me --------------------------------------------------------------------------------------------------------


class MeInput(Model):
    model_config = ConfigDict(extra="forbid")

    name: Word
    emails: list[Short] = Field(default_factory=list, max_length=100)
    linkedin: Short | None = None


# Strength --------------------------------------------------------------------------------------------------


class StrengthPoint(Model):
    date: date
    score: int


class Strength(Model):
    """A person's strength now, why, and every ``step`` days over the last ``days`` days."""

    model_config = ConfigDict(extra="allow")

    person: PersonRef
    score: int
    components: list[dict[str, Any]]
    circle: str | None
    suggested_circle: str | None
    interactions: int
    first_contact_at: StoredTime
    last_contact_at: StoredTime
    params: dict[str, Any]
    history: list[StrengthPoint]


class CsrfToken(Model):
    token: str = Field(description="Send it back in the X-CSRF-Token header of every change")
    header: str = "X-CSRF-Token"


# Agenda, follow-ups, favours, offers and needs, jobs, ties ----------------------------------------------------
#
# These records carry many computed parts (reasons, explanations, counts); a model names what a client can rely
# on and lets the rest through as the service gives it, in the shapes docs/json.md describes.

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Duration = Annotated[str, Field(min_length=2, max_length=20, description="A span like 3d, 2w, 1m or 1y")]


def _no_nul(value: Any) -> Any:
    # PostgreSQL cannot store a NUL character in text; refused here it is a 422, not a failed insert.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text cannot hold a NUL character")
    return value


NoNul = BeforeValidator(_no_nul)
Para = Annotated[Text, NoNul]
Line = Annotated[Short, NoNul]
Name = Annotated[Word, NoNul]


class Open(Model):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class Mini(Open):
    id: int
    name: str | None


class AgendaItem(Open):
    person: Mini
    score: float
    reasons: list[Any]
    follow_ups: list[dict[str, Any]]


class DormantTie(Open):
    person: Mini
    kind: str
    reasons: list[Any]


class AgendaDoneInput(Model):
    model_config = ConfigDict(extra="forbid")

    note: Para | None = Field(default=None, description='The summary of the touch ("Checked in" when omitted)')
    kind: Kind = "message"


class Logged(Model):
    interaction_id: int = Field(description="The interaction the touch was logged as")


class SnoozeInput(Model):
    """Until a day, or for a span from today; one of the two."""

    model_config = ConfigDict(extra="forbid")

    until: IsoDate | None = None
    duration: Duration | None = None


class FollowUp(Open):
    id: int
    person: Mini
    due_on: date
    text: str
    status: str


class FollowUpInput(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    text: Name
    due_on: IsoDate | None = Field(default=None, description="The day it is due; else `in` from today")
    in_: Duration | None = Field(default=None, alias="in", description="Due this span from today")


class CircleSuggestion(Model):
    person_id: int
    name: str
    circle: str | None
    suggested: str
    score: int
    changed: bool


class CircleChange(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    circle: Circle


class CirclesInput(Model):
    model_config = ConfigDict(extra="forbid")

    changes: list[CircleChange] = Field(min_length=1, max_length=10_000)


class Count(Model):
    count: int = Field(description="How many records the change touched or made")


class Favour(Open):
    id: int
    person: Mini
    direction: str
    kind: str
    status: str


class PartyInput(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    role: Name = "introduced-to"


class FavourInput(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    direction: Literal["given", "received"]
    kind: Name = Field(description="introduction, referral, advice, ...")
    status: Literal["asked", "promised", "done", "declined"] = "done"
    weight: Annotated[int, Field(ge=1, le=3)] | Name = Field(default=2, description="1, 2, 3 or small, medium, large")
    on: IsoDate | None = Field(default=None, description="The day it was asked, promised or done (today)")
    note: Para | None = None
    parties: list[PartyInput] = Field(default_factory=list, max_length=50)


class FavourChange(Model):
    model_config = ConfigDict(extra="forbid")

    status: Literal["asked", "promised", "done", "declined"] | None = None
    done_on: IsoDate | None = None
    note: Para | None = None


class Balance(Open):
    person: Mini
    net: float
    owed_by: str | None
    sentence: str


class Advice(Open):
    ok: bool
    warnings: list[str]
    better: list[Any]


class OfferNeed(Open):
    id: int
    kind: str
    text: str
    status: str


class OfferNeedInput(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    kind: Literal["offer", "need"]
    text: Name
    since: IsoDate | None = None
    expires_on: IsoDate | None = None


class Match(Open):
    pass


class IntroInput(Model):
    model_config = ConfigDict(extra="forbid")

    a: RowId
    b: RowId
    note: Para | None = None


class Target(Open):
    id: int
    status: str


class TargetInput(Model):
    model_config = ConfigDict(extra="forbid")

    org: Name
    why: Para | None = None


class JobPersonInput(Model):
    model_config = ConfigDict(extra="forbid")

    person_id: RowId
    role: Name = "other"


class Opportunity(Open):
    id: int


class OpportunityInput(Model):
    model_config = ConfigDict(extra="forbid")

    org: Name
    role: Name
    channel: Name = Field(description="cold, referral, warm-intro, recruiter, ...")
    link: Line | None = None
    stage: Name = "saved"
    on: IsoDate | None = None
    people: list[JobPersonInput] = Field(default_factory=list, max_length=50)
    note: Para | None = None


class MoveInput(Model):
    model_config = ConfigDict(extra="forbid")

    stage: Name
    on: IsoDate | None = None
    note: Para | None = None


class Tie(Open):
    id: int
    status: str


class TieInput(Model):
    model_config = ConfigDict(extra="forbid")

    a: RowId
    b: RowId
    how: Para | None = None
    strength: float = Field(default=0.8, ge=0, le=1, allow_inf_nan=False)


class Report(Open):
    """A computed report (statistics, a network's shape, who knows whom): see docs/json.md for its parts."""
