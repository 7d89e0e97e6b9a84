"""The roles people have in the portal: what guards, menus and services ask about."""

from __future__ import annotations

from portal.i18n import N_
from portal.labels import LabelledEnum


class Role(LabelledEnum):
    admin = "admin", N_("Administrator")
    committee = "committee", N_("Committee member")
    officer = "officer", N_("Case officer")
    partner = "partner", N_("Partner organisation staff")
    agency = "agency", N_("Agency staff")
