"""The registry of licensed private recruitment agencies."""

from __future__ import annotations

from piccolo.columns import Date, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from portal.i18n import N_
from portal.labels import LabelledEnum


class LicenceStatus(LabelledEnum):
    active = "active", N_("Active")
    suspended = "suspended", N_("Suspended")
    revoked = "revoked", N_("Revoked")
    expired = "expired", N_("Expired")


class Association(LabelledEnum):
    acra = "acra", N_("ACRA")
    mac = "mac", N_("MAC")
    none = "none", N_("No association")


class Agency(Table):
    """A private recruitment agency licensed by MOLVT."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    licence_number = Varchar(length=50, unique=True)
    name_en = Varchar(length=200, index=True)
    name_km = Varchar(length=200, default="")
    licence_status = Varchar(length=10, choices=LicenceStatus, default=LicenceStatus.active)
    licence_issued_on = Date(null=True, default=None)
    licence_expires_on = Date(null=True, default=None, index=True)  # the expiry scan
    association = Varchar(length=10, choices=Association, default=Association.none)
    province = Varchar(length=100, default="")
    address = Text(default="")
    phone = Varchar(length=50, default="")
    email = Varchar(length=254, default="")
    # Codes from portal.labour, comma-separated ("TH,MY"): a short fixed list, shown, not searched.
    destinations = Varchar(length=200, default="")
    sectors = Varchar(length=200, default="")
    created_at = Timestamptz()
