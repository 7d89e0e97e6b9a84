"""The registry of licensed private recruitment agencies."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.core.tables import FileColumns
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


class LicenceAction(LabelledEnum):
    """A decision of the ministry on an agency's licence, as its history lists it."""

    issued = "issued", N_("Licence issued")
    renewed = "renewed", N_("Licence renewed")
    warning = "warning", N_("Warning")
    suspended = "suspended", N_("Licence suspended")
    reinstated = "reinstated", N_("Licence reinstated")
    revoked = "revoked", N_("Licence revoked")


class LicenceEvent(Table):
    """One entry of an agency's licence history. The public sees the action and its dates;
    staff the reference, the reason, the document and (admins) the case behind a sanction."""

    id: Serial
    agency = ForeignKey(references=Agency, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=20, choices=LicenceAction)
    decided_on = Date()
    decision_reference = Varchar(length=100, default="")
    reason = Text(default="")
    expires_on = Date(null=True, default=None)  # the new expiry (issued, renewed)
    suspended_until = Date(null=True, default=None)  # a suspension's end, when decided
    # The complaint whose outcome recommended this sanction: an id, not a foreign key,
    # since complaints already depend on agencies; its reference for the history.
    complaint_id = Integer(null=True, default=None, index=True)
    complaint_reference = Varchar(length=20, default="")
    recorded_at = Timestamptz()


class LicenceDocument(FileColumns, Table):
    """The decision's document (a PDF), stored by portal.uploads; staff only."""

    id: Serial
    event = ForeignKey(references=LicenceEvent, on_delete=OnDelete.cascade, unique=True)


class SanctionDecision(Table):
    """An admin's answer to a sanction a complaint's outcome recommended: confirmed (with
    its licence history entry) or dismissed with a reason. A recommendation without one
    is pending."""

    id: Serial
    agency = ForeignKey(references=Agency, on_delete=OnDelete.cascade, index=True)
    complaint_id = Integer(index=True)
    sanction = Varchar(length=20)  # the complaint's Sanction value, as recommended
    confirmed = Boolean()
    reason = Text(default="")
    licence_event = ForeignKey(references=LicenceEvent, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz()


class PendingImport(Table):
    """A CSV file between its preview and the admin's confirmation: kept on the server,
    named by a random token only its uploader's confirmation sends back."""

    id: Serial
    token = Varchar(length=64, unique=True)
    owner_id = Integer()
    content = Text()
    created_at = Timestamptz(index=True)
