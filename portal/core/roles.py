"""The roles people have in the portal: what guards, menus and services ask about."""

from __future__ import annotations

from portal.i18n import N_
from portal.labels import LabelledEnum


class Role(LabelledEnum):
    admin = "admin", N_("Administrator")
    committee = "committee", N_("Committee member")
    officer = "officer", N_("Case officer")
    # A provincial department of labour's officer: a case officer for the complaints of
    # workers from their own province(s) only (portal.complaints.access).
    provincial_officer = "provincial_officer", N_("Provincial officer")
    # Reads the registry, the COC results and the reports; changes nothing, and sees no
    # complainant's personal data.
    ministry_viewer = "ministry_viewer", N_("Ministry viewer")
    partner = "partner", N_("Partner organisation staff")
    agency = "agency", N_("Agency staff")


# Who handles complaints: case officers (every case) and provincial officers (their
# provinces' cases); admins handle every case too.
CASE_OFFICERS = (Role.officer, Role.provincial_officer)
CASE_HANDLERS = (*CASE_OFFICERS, Role.admin)
