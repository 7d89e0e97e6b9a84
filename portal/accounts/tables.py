"""Users, partner organisations and login sessions."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.agencies.tables import Agency
from portal.core.roles import Role
from portal.i18n import N_
from portal.labels import LabelledEnum


class Constituency(LabelledEnum):
    """Which body a COC Assessment Committee member represents."""

    association = "association", N_("Recruitment agency association (ACRA/MAC)")
    ministry = "ministry", N_("Ministry (MOLVT Department of Employment)")
    union = "union", N_("Trade union")
    civil_society = "civil_society", N_("Civil-society organisation")


class OrganisationKind(LabelledEnum):
    mrc = "mrc", N_("Migrant Worker Resource Centre")
    union = "union", N_("Trade union")
    ngo = "ngo", N_("Non-governmental organisation")


class Organisation(Table):
    """A partner organisation (MRC, union or NGO) whose staff file complaints for workers."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=10, choices=OrganisationKind, default=OrganisationKind.ngo)
    province = Varchar(length=100, default="")
    created_at = Timestamptz()


class User(Table, tablename="portal_user"):
    """Someone who signs in. Agency staff belong to one agency, partner staff to one organisation."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    email = Varchar(length=254, unique=True)
    full_name = Varchar(length=200)
    role = Varchar(length=20, choices=Role, index=True)
    password_hash = Varchar(length=200)
    is_active = Boolean(default=True)
    must_change_password = Boolean(default=False)
    agency = ForeignKey(references=Agency, null=True, on_delete=OnDelete.restrict)
    organisation = ForeignKey(references=Organisation, null=True, on_delete=OnDelete.restrict)
    constituency = Varchar(length=20, choices=Constituency, null=True, default=None)
    language = Varchar(length=2, default="en")
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    # Officers marked supervisor hear of overdue complaint stages (escalations).
    is_supervisor = Boolean(default=False)
    # A provincial officer's provinces (keys of portal.labour.PROVINCES), comma-separated:
    # read with the session in one query on both databases, which an array column is not.
    provinces = Varchar(length=1000, default="")


class LoginSession(Table):
    """A server-side session. The cookie holds a random token; only its hash is stored."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
