"""Who may see which complaint, and which parts of it: the one place these rules live.

- officers and admins: every complaint; the details of a *sensitive* one (trafficking,
  gender-based violence) only for its assigned officer, supervisors (who are alerted to
  it, to assign it) and admins;
- provincial officers: as officers, for the complaints whose worker comes from one of
  their provinces (`within_provinces`: the queue, cases, dashboard and reports ask it);
- partner staff: the complaints their organisation filed;
- agency staff: the complaints against their own agency, without the complainant's
  identity unless the complainant consented;
- a complainant: their own case, after giving its reference and receipt code;
- committee members, ministry viewers and the public: none.

Lookups filter with `visible_to` and answer the same 404 for "not yours" as for "none".
"""

from __future__ import annotations

from typing import Any

from portal.accounts.services import provinces_of as stored_provinces
from portal.accounts.tables import User
from portal.complaints.tables import Audience, Complaint
from portal.core.roles import CASE_OFFICERS, Role

# Timeline entries and files each kind of reader sees.
AUDIENCES: dict[str, frozenset[Audience]] = {
    "staff": frozenset(Audience),
    "complainant": frozenset({Audience.public, Audience.complainant}),
    "agency": frozenset({Audience.public, Audience.agency}),
}


def visible_to(user: Any) -> Any | None:
    """A where-condition selecting the complaints `user` may open, or None for none."""
    if user is None:
        return None
    if user.role in (Role.officer, Role.admin):
        return Complaint.id.is_not_null()
    if user.role == Role.provincial_officer:
        return _in_provinces(user.provinces)
    if user.role == Role.partner and user.organisation_id:
        return Complaint.organisation == user.organisation_id
    if user.role == Role.agency and user.agency_id:
        return Complaint.agency == user.agency_id
    return None


def provinces_of(user: Any) -> tuple[str, ...] | None:
    """The provinces whose complaints `user` handles, or None for no such limit."""
    if user is not None and user.role == Role.provincial_officer:
        return tuple(user.provinces)
    return None


def within_provinces(query: Any, user: Any) -> Any:
    """`query` (over complaints) kept to the user's provinces, when they have a limit."""
    provinces = provinces_of(user)
    if provinces is None:
        return query
    return query.where(_in_provinces(provinces))


def _in_provinces(provinces: tuple[str, ...]) -> Any:
    # An officer given no province yet sees nothing (not the cases with none recorded).
    return Complaint.province.is_in(list(provinces)) if provinces else Complaint.id.is_null()


async def officers_for(case: dict[str, Any], officer_id: int | None = None) -> list[dict]:
    """The active officers a case may be given (or the one `officer_id`, if among them):
    case officers, and provincial officers of the worker's province."""
    query = User.select(User.id, User.full_name, User.role, User.provinces).where(
        User.role.is_in(list(CASE_OFFICERS)) & User.is_active.eq(True)
    )
    if officer_id is not None:
        query = query.where(User.id == officer_id)
    return [
        officer
        for officer in await query.order_by(User.full_name)
        if officer["role"] == Role.officer
        or case["province"] in stored_provinces(officer["provinces"])
    ]


def reader_kind(user: Any | None) -> str:
    """Which AUDIENCES entry applies: a partner reads as the complainant they helped."""
    if user is None or user.role == Role.partner:
        return "complainant"
    if user.role == Role.agency:
        return "agency"
    return "staff"


def sees_sensitive_details(user: Any, complaint: dict[str, Any]) -> bool:
    """Whether `user` may read a case's details (always, unless the case is sensitive)."""
    if not complaint["is_sensitive"]:
        return True
    if user.role == Role.admin or (user.role == Role.officer and user.is_supervisor):
        return True
    if user.role in CASE_OFFICERS:
        return complaint["assigned_officer"] == user.id
    # The complainant's own side (their partner) and the agency keep their usual view.
    return user.role in (Role.partner, Role.agency)


def sees_identity(user: Any | None, complaint: dict[str, Any]) -> bool:
    """Whether the complainant's and workers' names and contacts are shown to `user`."""
    if user is not None and user.role == Role.agency:
        # A sensitive case never shows who complains to the accused agency, consent or not.
        return bool(complaint["share_identity"]) and not complaint["is_sensitive"]
    return True
