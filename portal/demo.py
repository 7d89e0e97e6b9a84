"""`portal demo-data`: realistic sample data for trying the portal. Safe to run again:
records are looked up by their natural keys and only missing ones are added."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from portal import clock
from portal.accounts.services import NewUser, create_user
from portal.accounts.tables import User
from portal.agencies import history
from portal.agencies.tables import Agency, LicenceAction
from portal.checklists import checklist_versions
from portal.checklists.demo import seed_cycle
from portal.checklists.review_demo import seed_reviews
from portal.checklists.tables import ChecklistTemplate
from portal.complaints.demo import seed_complaints

SAMPLE_CHECKLIST = Path(__file__).parent / "checklists" / "sample_coc.yaml"
DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published in the README, demo data only

AGENCIES = [
    # licence, English name, Khmer name, association, province, status, destinations, sectors
    (
        "MOLVT-PRA-0101",
        "Angkor Manpower Co., Ltd.",
        "ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវើ",
        "acra",
        "Phnom Penh",
        "active",
        "TH,MY,KR",
        "manufacturing,construction,agriculture",
    ),
    (
        "MOLVT-PRA-0102",
        "Mekong Overseas Recruitment",
        "ក្រុមហ៊ុន មេគង្គ ជ្រើសរើសពលករ",
        "acra",
        "Kandal",
        "active",
        "TH,MY",
        "construction,fishing,domestic_work",
    ),
    (
        "MOLVT-PRA-0203",
        "Tonle Sap Workforce Services",
        "ក្រុមហ៊ុន ទន្លេសាប សេវាកម្មពលកម្ម",
        "mac",
        "Siem Reap",
        "active",
        "JP,KR",
        "agriculture,care,hospitality",
    ),
    (
        "MOLVT-PRA-0204",
        "Bayon Labour Link",
        "ក្រុមហ៊ុន បាយ័ន ឡេប័រ លីង",
        "mac",
        "Battambang",
        "suspended",
        "TH",
        "agriculture,fishing",
    ),
    (
        "MOLVT-PRA-0305",
        "Kampot Skills Export",
        "ក្រុមហ៊ុន កំពត ស្គីល អិចស្ពត",
        "none",
        "Kampot",
        "expired",
        "SA,QA,AE",
        "domestic_work,hospitality",
    ),
]

# Each demo agency's licence history after its issue (15 January 2024, for three years).
HISTORY: dict[str, list[tuple[str, date, str, str, date | None, date | None]]] = {
    "MOLVT-PRA-0102": [
        ("warning", date(2025, 6, 10), "MOLVT 512/25", "Fees charged to workers", None, None),
    ],
    "MOLVT-PRA-0203": [
        ("renewed", date(2025, 1, 10), "MOLVT 044/25", "Renewal on time", date(2027, 1, 14), None),
    ],
    "MOLVT-PRA-0204": [
        (
            "suspended",
            date(2026, 9, 1),
            "MOLVT 903/26",
            "Passports kept from workers",
            None,
            date(2026, 11, 30),
        ),
    ],
}

USERS = [
    # e-mail, name, role, agency licence, organisation, organisation kind, constituency
    ("admin@demo.example", "Sokha Chan", "admin", "", "", "ngo", ""),
    ("committee@demo.example", "Dara Keo", "committee", "", "", "ngo", "ministry"),
    ("union@demo.example", "Bopha Lim", "committee", "", "", "ngo", "union"),
    ("officer@demo.example", "Vannak Prak", "officer", "", "", "ngo", ""),
    ("supervisor@demo.example", "Sophal Noun", "officer", "", "", "ngo", ""),
    ("province@demo.example", "Kosal Heng", "provincial_officer", "", "", "ngo", ""),
    ("ministry@demo.example", "Malis Tep", "ministry_viewer", "", "", "ngo", ""),
    ("partner@demo.example", "Srey Mom Yin", "partner", "", "Banteay Meanchey MRC", "mrc", ""),
    ("agency@demo.example", "Rithy Sam", "agency", "MOLVT-PRA-0101", "", "ngo", ""),
    ("mekong@demo.example", "Chenda Ouk", "agency", "MOLVT-PRA-0102", "", "ngo", ""),
]

# The provincial officer handles the complaints of workers from these provinces.
DEMO_PROVINCES = {"province@demo.example": ("Banteay Meanchey", "Battambang", "Prey Veng")}


async def _seed_history(agency: Agency, licence: str) -> None:
    later = HISTORY.get(licence, [])
    # A licence renewed since was first issued for one year.
    renewed = any(action == "renewed" for action, *_ in later)
    issued = history.Decision(
        LicenceAction.issued,
        agency.licence_issued_on,
        f"MOLVT {licence[-4:]}/24",
        "",
        expires_on=date(2025, 1, 14) if renewed else agency.licence_expires_on,
    )
    await history.save_event(agency.id, issued, clock.now())
    for action, on, reference, reason, expires_on, until in later:
        decision = history.Decision(
            LicenceAction(action), on, reference, reason, expires_on, suspended_until=until
        )
        await history.save_event(agency.id, decision, clock.now())


async def load_demo_data() -> list[str]:
    """Add what is missing and say what was added."""
    report: list[str] = []
    for licence, name_en, name_km, association, province, status, goes_to, sectors in AGENCIES:
        if await Agency.exists().where(Agency.licence_number == licence):
            continue
        issued = date(2024, 1, 15)
        agency = Agency(
            licence_number=licence,
            name_en=name_en,
            name_km=name_km,
            association=association,
            province=province,
            licence_status=status,
            destinations=goes_to,
            sectors=sectors,
            licence_issued_on=issued,
            licence_expires_on=date(2026, 1, 14) if status == "expired" else date(2027, 1, 14),
            created_at=clock.now(),
        )
        await agency.save()
        await _seed_history(agency, licence)
        report.append(f"agency {licence} {name_en}")
    for email, name, role, licence, organisation, kind, constituency in USERS:
        if await User.exists().where(User.email == email):
            continue
        await create_user(
            None,
            NewUser(
                email=email,
                full_name=name,
                role=role,
                password=DEMO_PASSWORD,
                agency_licence=licence,
                organisation_name=organisation,
                organisation_kind=kind,
                constituency=constituency,
                provinces=DEMO_PROVINCES.get(email, ()),
                must_change_password=False,
            ),
        )
        report.append(f"user {email} ({role})")
    # The supervising officer hears of escalated (long overdue) complaints.
    await User.update({User.is_supervisor: True}).where(User.email == "supervisor@demo.example")
    if not await ChecklistTemplate.exists():
        template = await checklist_versions.import_template(None, SAMPLE_CHECKLIST.read_bytes())
        await checklist_versions.publish(None, template.id)
        report.append(f"checklist {template.title_en} v{template.version} (published)")
    await seed_cycle(report)
    await seed_reviews(report)
    await seed_complaints(report)
    report.append(
        f"{len(report)} demo records added; demo accounts use the password {DEMO_PASSWORD}"
    )
    return report
