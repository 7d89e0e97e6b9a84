"""An account's details as an admin sets them, when creating it or changing it later:
the checks both share, and the change itself (written in the audit log field by field)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from portal import clock, db
from portal.access import or_404
from portal.accounts.tables import Constituency, Organisation, OrganisationKind, User
from portal.agencies.tables import Agency
from portal.audit import services as audit
from portal.core.roles import Role
from portal.errors import FormErrors
from portal.forms import is_email_address, too_long
from portal.i18n import gettext as _
from portal.labour import PROVINCES


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass
class Profile:
    """Who someone is and what they work for: the account's fields an admin chooses."""

    email: str
    full_name: str
    role: str
    agency_licence: str = ""
    organisation_name: str = ""
    organisation_kind: str = OrganisationKind.ngo.value
    constituency: str = ""
    provinces: tuple[str, ...] = ()  # a provincial officer's


async def checked(profile: Profile, user_id: int | None) -> tuple[dict[Any, Any], dict[str, str]]:
    """The User column values a profile gives and the errors in it, field by field.
    `user_id` is the account being changed (its own address is not "taken"); the
    organisation is given by name, and made by `organisation_id` once saving."""
    errors: dict[str, str] = {}
    email = normalise_email(profile.email)
    taken = User.exists().where(User.email == email)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    if not is_email_address(email):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    elif await taken:
        errors["email"] = _("There is already an account with this e-mail address.")
    name = profile.full_name.strip()
    if not name:
        errors["full_name"] = _("Enter the person's name.")
    texts = {"full_name": name, "organisation": profile.organisation_name.strip()}
    errors |= too_long(texts, {"full_name": 200, "organisation": 200})  # as their columns
    role = profile.role
    if role not in {r.value for r in Role}:
        errors["role"] = _("Choose a role.")
    values: dict[Column | str, Any] = {
        "email": email,
        "full_name": name,
        "role": role,
        "agency": None,
        "constituency": None,
        "provinces": "",
    }
    if role == Role.agency.value:
        agency = (
            await Agency.select(Agency.id)
            .where(Agency.licence_number == profile.agency_licence.strip())
            .first()
        )
        if agency is None:
            errors["agency"] = _("Agency staff need an agency: choose one from the registry.")
        else:
            values["agency"] = agency["id"]
    if role == Role.committee.value:
        if profile.constituency not in {c.value for c in Constituency}:
            errors["constituency"] = _("Choose which body this committee member represents.")
        values["constituency"] = profile.constituency
    if role == Role.partner.value:
        if not profile.organisation_name.strip():
            errors["organisation"] = _("Partner staff need an organisation.")
        if profile.organisation_kind not in {k.value for k in OrganisationKind}:
            errors["organisation_kind"] = _("Choose the kind of organisation.")
    if role == Role.provincial_officer.value:
        if not profile.provinces or not set(profile.provinces) <= set(PROVINCES):
            errors["provinces"] = _("Tick the provinces whose complaints this officer handles.")
        values["provinces"] = ",".join(p for p in PROVINCES if p in profile.provinces)
    return values, errors


async def organisation_id(profile: Profile) -> int | None:
    """A partner's organisation, made if it is new (call inside the saving transaction)."""
    if profile.role != Role.partner.value:
        return None
    name = profile.organisation_name.strip()
    existing = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    if existing:
        return existing["id"]
    organisation = Organisation(name=name, kind=profile.organisation_kind, created_at=clock.now())
    await organisation.save()
    return organisation.id


async def current_profile(user_id: int) -> dict[str, str]:
    """An account's details as the edit form shows them."""
    user = or_404(
        await User.select(
            *User.all_columns(),
            User.agency.licence_number.as_alias("licence"),
            User.organisation.name.as_alias("organisation_name"),
            User.organisation.kind.as_alias("organisation_kind"),
        )
        .where(User.id == user_id)
        .first()
    )
    return {
        "id": str(user["id"]),
        "email": user["email"],
        "full_name": user["full_name"],
        "role": user["role"],
        "agency": user["licence"] or "",
        "organisation": user["organisation_name"] or "",
        "organisation_kind": user["organisation_kind"] or OrganisationKind.ngo.value,
        "constituency": user["constituency"] or "",
        "provinces": user["provinces"],
    }


async def edit_user(actor: Any, user_id: int, profile: Profile) -> list[str]:
    """Change an account's details; nothing is saved if any is wrong. Returns the fields
    changed, each written in the audit log with its old and new value."""
    before = await current_profile(user_id)
    values, errors = await checked(profile, user_id)
    if errors:
        raise FormErrors(errors)
    async with db.transaction():
        values["organisation"] = await organisation_id(profile)
        after = {
            "email": values["email"],
            "full_name": values["full_name"],
            "role": values["role"],
            "agency": profile.agency_licence.strip() if values["agency"] else "",
            "organisation": profile.organisation_name.strip() if values["organisation"] else "",
            "constituency": values["constituency"] or "",
            "provinces": values["provinces"],
        }
        changed = [name for name, value in after.items() if before[name] != value]
        if not changed:
            return []
        await User.update(values).where(User.id == user_id)
        summary = "; ".join(f"{name}: {before[name]} → {after[name]}" for name in changed)
        await audit.record(actor, "user.updated", "user", user_id, summary)
    return changed
