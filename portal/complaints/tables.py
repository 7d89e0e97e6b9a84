"""Complaints against recruitment agencies: the case, the workers it concerns, its
grounds, its timeline, its files, and the running figures the dashboard reads.

A complaint's status moves only through `portal.complaints.states`; its current deadline
stage and due time are stored (`stage`, `stage_due_at`) so queues sort on them and the
deadline scan finds what is due with an index range query."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.accounts.tables import Organisation, User
from portal.agencies.tables import Agency
from portal.complaints.states import Status
from portal.deadlines import Stage
from portal.i18n import N_


class Filer(StrEnum):
    """Who is filing."""

    worker = "worker"
    family = "family"
    representative = "representative"


FILER_LABELS = {
    Filer.worker: N_("The worker"),
    Filer.family: N_("A family member"),
    Filer.representative: N_("A representative (union, MRC or NGO)"),
}


class Channel(StrEnum):
    """How the complaint reached the portal."""

    web = "web"
    mrc = "mrc"
    union_office = "union_office"
    hotline = "hotline"
    walk_in = "walk_in"


CHANNEL_LABELS = {
    Channel.web: N_("Web form"),
    Channel.mrc: N_("Migrant Worker Resource Centre"),
    Channel.union_office: N_("Union office"),
    Channel.hotline: N_("Hotline"),
    Channel.walk_in: N_("Walk-in"),
}


class Ground(StrEnum):
    delayed_departure = "delayed_departure"
    excessive_fees = "excessive_fees"
    contract_substitution = "contract_substitution"
    unpaid_wages = "unpaid_wages"
    documents_retained = "documents_retained"
    abuse = "abuse"
    forced_labour = "forced_labour"
    other = "other"


GROUND_LABELS = {
    Ground.delayed_departure: N_("Delayed departure or not deployed after signing"),
    Ground.excessive_fees: N_("Fees or debt beyond what the law allows"),
    Ground.contract_substitution: N_("Contract substitution"),
    Ground.unpaid_wages: N_("Unpaid or underpaid wages"),
    Ground.documents_retained: N_("Identity documents kept by someone else"),
    Ground.abuse: N_("Abuse or violence"),
    Ground.forced_labour: N_("Signs of forced labour or trafficking"),
    Ground.other: N_("Something else"),
}


class Sex(StrEnum):
    woman = "woman"
    man = "man"
    not_said = "not_said"


SEX_LABELS = {
    Sex.woman: N_("Woman"),
    Sex.man: N_("Man"),
    Sex.not_said: N_("Prefer not to say"),
}


class AgeBand(StrEnum):
    under_18 = "under_18"
    age_18_24 = "18_24"
    age_25_34 = "25_34"
    age_35_44 = "35_44"
    age_45_plus = "45_plus"
    not_said = "not_said"


AGE_BAND_LABELS = {
    AgeBand.under_18: N_("Under 18"),
    AgeBand.age_18_24: N_("18 to 24"),
    AgeBand.age_25_34: N_("25 to 34"),
    AgeBand.age_35_44: N_("35 to 44"),
    AgeBand.age_45_plus: N_("45 or older"),
    AgeBand.not_said: N_("Prefer not to say"),
}


class Disability(StrEnum):
    yes = "yes"
    no = "no"
    not_said = "not_said"


DISABILITY_LABELS = {
    Disability.yes: N_("Yes"),
    Disability.no: N_("No"),
    Disability.not_said: N_("Prefer not to say"),
}


class ContactPreference(StrEnum):
    phone = "phone"
    email = "email"
    partner = "partner"
    portal_only = "portal_only"


CONTACT_LABELS = {
    ContactPreference.phone: N_("By phone"),
    ContactPreference.email: N_("By e-mail"),
    ContactPreference.partner: N_("Through the organisation helping me"),
    ContactPreference.portal_only: N_("Only here, with my receipt code"),
}


class Currency(StrEnum):
    USD = "USD"
    KHR = "KHR"


class Outcome(StrEnum):
    settlement = "settlement"
    compensation = "compensation"
    court = "court"
    other_authority = "other_authority"
    dismissed = "dismissed"
    withdrawn = "withdrawn"


OUTCOME_LABELS = {
    Outcome.settlement: N_("Mediated settlement"),
    Outcome.compensation: N_("Compensation paid"),
    Outcome.court: N_("Referred to court"),
    Outcome.other_authority: N_("Referred to another authority"),
    Outcome.dismissed: N_("Dismissed"),
    Outcome.withdrawn: N_("Withdrawn"),
}


class Sanction(StrEnum):
    """A penalty recommended against the agency under Prakas 251."""

    none = "none"
    warning = "warning"
    suspension = "suspension"
    revocation = "revocation"


SANCTION_LABELS = {
    Sanction.none: N_("No sanction"),
    Sanction.warning: N_("Warning"),
    Sanction.suspension: N_("Licence suspension"),
    Sanction.revocation: N_("Licence revocation"),
}


class Audience(StrEnum):
    """Who may read a timeline entry or file."""

    public = "public"  # the complainant (and the filing partner), officers; the agency too
    complainant = "complainant"  # messages between officer and complainant; not the agency
    agency = "agency"  # exchanges with the agency; not the complainant
    internal = "internal"  # officers' notes


class Complaint(Table):
    """One complaint (for one worker or a group) against an agency or unlicensed broker."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    reference = Varchar(length=20, unique=True)
    receipt_hash = Varchar(length=64)  # keyed hash of the receipt code; never the code
    form_token_hash = Varchar(length=64, unique=True, null=True, default=None)
    # status, agency, province and assigned_officer have no index of their own: each leads
    # one of the queue's indexes (migrations/complaints), which serves them as well.
    status = Varchar(length=20, choices=Status, default=Status.received)
    is_open = Boolean(default=True)
    stage = Varchar(length=20, choices=Stage, null=True, default=Stage.ACKNOWLEDGE)
    stage_due_at = Timestamptz(null=True, default=None, index=True)
    resolution_due_at = Timestamptz(null=True, default=None)
    paused_since = Timestamptz(null=True, default=None)  # waiting on the complainant
    received_at = Timestamptz(index=True)
    acknowledged_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    # Against whom: a registered agency, or a broker named by the complainant.
    agency = ForeignKey(references=Agency, on_delete=OnDelete.restrict, null=True)
    broker_name = Varchar(length=200, default="")
    # Who filed, how, and for whom.
    filer = Varchar(length=20, choices=Filer)
    representative_of = Varchar(length=200, default="")  # the union, MRC or NGO named
    channel = Varchar(length=20, choices=Channel, default=Channel.web)
    organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, null=True, index=True
    )
    filed_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    complainant_name = Varchar(length=200, default="")
    # The name as the search compares it (services.name_key): SQLite's lower() folds ASCII
    # letters only, so the folding is done here, the same on both databases.
    name_key = Varchar(length=200, default="")
    phone = Varchar(length=50, default="")
    email = Varchar(length=254, default="")
    contact_preference = Varchar(length=20, choices=ContactPreference)
    province = Varchar(length=100, default="")  # the worker's home province
    destination = Varchar(length=10, default="")  # a code of portal.labour.DESTINATIONS
    sector = Varchar(length=20, default="")  # a code of portal.labour.SECTORS
    description = Text()
    amount_claimed = Numeric(digits=(14, 2), null=True, default=None)
    claim_currency = Varchar(length=3, choices=Currency, default=Currency.USD)
    share_identity = Boolean(default=False)  # the agency may see who complains
    workers_count = Integer(default=1)
    # Case handling.
    assigned_officer = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    is_sensitive = Boolean(default=False)
    outcome = Varchar(length=20, choices=Outcome, default="")
    compensation = Numeric(digits=(14, 2), null=True, default=None)
    compensation_currency = Varchar(length=3, default="")
    sanction = Varchar(length=20, choices=Sanction, default="")
    outcome_note = Text(default="")


class ComplaintWorker(Table):
    """A worker the complaint concerns (several for a group complaint)."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, default="")
    sex = Varchar(length=10, choices=Sex)
    age_band = Varchar(length=10, choices=AgeBand)
    disability = Varchar(length=10, choices=Disability)
    lgbtqia = Boolean(default=False)  # self-identified, optional


class ComplaintGround(Table):
    """One ground of a complaint (a complaint has one or more); the queue filters on it."""

    id: Serial
    # No index on complaint alone: (complaint, ground) in migrations/complaints serves it.
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade)
    ground = Varchar(length=30, choices=Ground, index=True)


class CaseEvent(Table):
    """A line of the case timeline: who did what, when, and who may read it."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    kind = Varchar(length=30)
    audience = Varchar(length=20, choices=Audience)
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    by_complainant = Boolean(default=False)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20, default="")
    body = Text(default="")


class CaseFile(Table):
    """A file attached to a complaint: by the complainant, the officer, or the agency."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, index=True)
    event = ForeignKey(references=CaseEvent, on_delete=OnDelete.set_null, null=True)
    audience = Varchar(length=20, choices=Audience)
    stored_name = Varchar(length=40, unique=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=50)
    size = Integer()
    uploaded_at = Timestamptz()


class ComplaintFigure(Table):
    """A running count for the dashboard (complaints by status, by month, by sex,
    compensation by month and currency), changed in the same transaction as the
    complaints it counts, so the dashboard never scans the complaints table."""

    id: Serial
    key = Varchar(length=80, unique=True)
    value = BigInt(default=0)
