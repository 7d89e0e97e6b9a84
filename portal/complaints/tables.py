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
    Date,
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
from portal.core.tables import FileColumns
from portal.deadlines import Stage
from portal.i18n import N_
from portal.labels import LabelledEnum


class Filer(LabelledEnum):
    """Who is filing."""

    worker = "worker", N_("The worker")
    family = "family", N_("A family member")
    representative = "representative", N_("A representative (union, MRC or NGO)")


class Channel(LabelledEnum):
    """How the complaint reached the portal."""

    web = "web", N_("Web form")
    mrc = "mrc", N_("Migrant Worker Resource Centre")
    union_office = "union_office", N_("Union office")
    hotline = "hotline", N_("Hotline")
    walk_in = "walk_in", N_("Walk-in")
    embassy = "embassy", N_("Embassy or labour attaché abroad")
    provincial_labour = "provincial_labour", N_("Provincial labour department")
    letter = "letter", N_("Letter")


class Ground(LabelledEnum):
    delayed_departure = "delayed_departure", N_("Delayed departure or not deployed after signing")
    excessive_fees = "excessive_fees", N_("Fees or debt beyond what the law allows")
    contract_substitution = "contract_substitution", N_("Contract substitution")
    unpaid_wages = "unpaid_wages", N_("Unpaid or underpaid wages")
    documents_retained = "documents_retained", N_("Identity documents kept by someone else")
    abuse = "abuse", N_("Abuse or violence")
    forced_labour = "forced_labour", N_("Signs of forced labour or trafficking")
    other = "other", N_("Something else")


class Sex(LabelledEnum):
    woman = "woman", N_("Woman")
    man = "man", N_("Man")
    not_said = "not_said", N_("Prefer not to say")


class AgeBand(LabelledEnum):
    under_18 = "under_18", N_("Under 18")
    age_18_24 = "18_24", N_("18 to 24")
    age_25_34 = "25_34", N_("25 to 34")
    age_35_44 = "35_44", N_("35 to 44")
    age_45_plus = "45_plus", N_("45 or older")
    not_said = "not_said", N_("Prefer not to say")


class Disability(LabelledEnum):
    yes = "yes", N_("Yes")
    no = "no", N_("No")
    not_said = "not_said", N_("Prefer not to say")


class ContactPreference(LabelledEnum):
    """How the complainant hears when their case changes (portal/complaints/notices.py)."""

    phone = "phone", N_("By SMS text message")  # stored as "phone" since before SMS
    email = "email", N_("By e-mail")
    partner = "partner", N_("Through the organisation helping me")
    portal_only = "portal_only", N_("Only here, with my receipt code")


class Currency(StrEnum):
    USD = "USD"
    KHR = "KHR"


class Outcome(LabelledEnum):
    settlement = "settlement", N_("Mediated settlement")
    compensation = "compensation", N_("Compensation paid")
    court = "court", N_("Referred to court")
    other_authority = "other_authority", N_("Referred to another authority")
    dismissed = "dismissed", N_("Dismissed")
    withdrawn = "withdrawn", N_("Withdrawn")


class Sanction(LabelledEnum):
    """A penalty recommended against the agency under Prakas 251."""

    none = "none", N_("No sanction")
    warning = "warning", N_("Warning")
    suspension = "suspension", N_("Licence suspension")
    revocation = "revocation", N_("Licence revocation")


class Authority(LabelledEnum):
    """Another authority a case is referred to."""

    anti_trafficking_police = "anti_trafficking_police", N_("Anti-trafficking police")
    labour_inspectorate = "labour_inspectorate", N_("Labour inspectorate")
    labour_attache = "labour_attache", N_("Embassy labour attaché")
    court = "court", N_("Court")
    other = "other", N_("Another authority")


class Audience(LabelledEnum):
    """Who may read a timeline entry or file."""

    # the complainant (and the filing partner), officers; the agency too
    public = "public", N_("Public")
    # messages between officer and complainant; not the agency
    complainant = "complainant", N_("Message to the complainant")
    agency = "agency", N_("With the agency")  # exchanges with the agency; not the complainant
    internal = "internal", N_("Internal note")  # officers' notes


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
    # The sub-agent or broker who recruited the worker, besides the agency (personal data).
    subagent_name = Varchar(length=200, default="")
    subagent_phone = Varchar(length=50, default="")
    subagent_village = Varchar(length=200, default="")
    # The employer abroad, and when the worker was recruited and left.
    employer_name = Varchar(length=200, default="")
    employer_country = Varchar(length=10, default="")  # a code of portal.labour.DESTINATIONS
    employer_city = Varchar(length=100, default="")
    recruited_on = Date(null=True, default=None)
    departed_on = Date(null=True, default=None)
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
    # The phone as the search compares it (search.phone_key: +85512345678), however typed.
    phone_key = Varchar(length=20, default="")
    email = Varchar(length=254, default="")
    contact_preference = Varchar(length=20, choices=ContactPreference)
    language = Varchar(length=2, default="en")  # the form's language: the notices' language
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
    is_priority = Boolean(default=False)  # safeguarding: handled before other cases
    # The allegation in the officer's words: all an agency reads of a sensitive case.
    allegation = Text(default="")
    # Something new (a reply, a file, the agency's response, another's message) since the
    # assigned officer last opened the case when news_at > officer_seen_at (portal.complaints.news).
    news_at = Timestamptz(null=True, default=None)
    officer_seen_at = Timestamptz(null=True, default=None)
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
    id_number = Varchar(length=50, default="")  # ID card or passport; hidden with the name
    # This worker's share of the outcome's compensation (in the case's currency).
    compensation = Numeric(digits=(14, 2), null=True, default=None)


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


class CaseReferral(Table):
    """A referral of the case to another authority, with that authority's reference."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, index=True)
    authority = Varchar(length=30, choices=Authority)
    referred_on = Date()
    authority_reference = Varchar(length=100, default="")
    note = Text(default="")
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    recorded_at = Timestamptz()


class CaseFile(FileColumns, Table):
    """A file attached to a complaint: by the complainant, the officer, or the agency."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, index=True)
    event = ForeignKey(references=CaseEvent, on_delete=OnDelete.set_null, null=True)
    audience = Varchar(length=20, choices=Audience)


class ComplaintFigure(Table):
    """A running count for the dashboard (complaints by status, by month, by sex,
    compensation by month and currency), changed in the same transaction as the
    complaints it counts, so the dashboard never scans the complaints table."""

    id: Serial
    key = Varchar(length=80, unique=True)
    value = BigInt(default=0)
