"""Who reaches which complaint, over every complaint route that names a case or its files
(pages, htmx requests, downloads, each method): anonymous visitors, someone with a wrong
receipt code, the complainant, agency A and B, partner X and Y, a committee member,
officers (assigned to the sensitive case or not), provincial officers of the worker's
province and of another, a ministry viewer and an admin. Only the intended ones get
in; everyone else gets the same 404 — or, without an account or a case cookie, the page
that asks them to sign in or to give their receipt — and changes nothing. The same
actors over every reports route: the public statistics (suppressed) for everyone, each
account's report and its downloads with only its own figures, whatever filter it sends."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from portal import clock
from portal.complaints import agency_routes, case_routes, partner_routes, public_routes
from portal.complaints.tables import CaseEvent, CaseFile, Complaint
from portal.reports import export_routes
from portal.reports import routes as report_routes
from tests.checklists.conftest import PDF
from tests.conftest import csrf_token, post_form, sign_in
from tests.files import stored_file

SECRET = "The recruiter took my passport at Poipet"
CODE = "12345678901234567890"
# On the sensitive case: who complained (they consented to share it with the agency, which
# still never sees it) and the allegation as the officer wrote it for the agency.
NAME = "Bopha Consentname"
ALLEGATION = "Workers were confined at the workplace abroad."

ROUTES = [
    (method, path)
    for module in (public_routes, partner_routes, case_routes, agency_routes)
    for route in module.router.routes
    for handler in route.route_handlers
    for method in sorted(handler.http_methods - {"OPTIONS"})  # Litestar adds OPTIONS itself
    for path in [route.path]
    if "{complaint_id" in path
    or path.startswith("/my-case/files")
    or path == "/my-case"
    or path == "/my-case/reply"
]
ACTORS = [
    "anonymous",
    "wrong receipt",
    "complainant",
    "agency A",
    "agency B",
    "partner X",
    "partner Y",
    "committee",
    "officer",
    "assigned officer",
    "provincial officer",
    "other province's officer",
    "ministry viewer",
    "admin",
]


def _who_may(path: str, case: str) -> set[str]:
    """The intended readers of `path` for the case `case` ("plain" or "sensitive")."""
    if path.startswith("/cases/"):
        if case == "sensitive":
            return {"assigned officer", "admin"}
        return {"officer", "assigned officer", "provincial officer", "admin"}
    if path.startswith("/agency/"):
        return {"agency A"}
    if path.startswith("/partner/"):
        return {"partner X"} if case == "plain" else set()
    if path.startswith("/my-case"):
        return {"complainant"} if case == "plain" else set()
    raise AssertionError(path)


async def _file(complaint_id: int, audience: str) -> int:
    stored = await stored_file(f"{audience}.pdf", PDF)
    row = CaseFile(
        complaint=complaint_id,
        audience=audience,
        stored_name=stored.stored_name,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_at=clock.now(),
    )
    await row.save()
    return row.id


@pytest.fixture
async def world(make_complaint, make_agency, make_user) -> dict[str, Any]:
    agency_a, agency_b = await make_agency(), await make_agency()
    users = {
        "agency A": await make_user("agency", agency=agency_a.id),
        "agency B": await make_user("agency", agency=agency_b.id),
        "partner X": await make_user("partner"),
        "partner Y": await make_user("partner"),
        "committee": await make_user("committee"),
        "officer": await make_user("officer"),
        "assigned officer": await make_user("officer"),
        "provincial officer": await make_user("provincial_officer", provinces="Takeo,Kandal"),
        "other province's officer": await make_user("provincial_officer", provinces="Kampot"),
        "ministry viewer": await make_user("ministry_viewer"),
        "admin": await make_user("admin"),
    }
    plain = await make_complaint(
        status="awaiting_agency",
        agency=agency_a.id,
        organisation=users["partner X"].organisation,
        description=SECRET,
        receipt_code=CODE,
        reference="C26-PLAIN234",
        province="Kandal",
    )
    sensitive = await make_complaint(
        status="investigation",
        agency=agency_a.id,
        description=SECRET,
        is_sensitive=True,
        assigned_officer=users["assigned officer"].id,
        province="Kandal",
        reference="C26-SENS2345",
        share_identity=True,
        complainant_name=NAME,
        allegation=ALLEGATION,
    )
    files = {}
    for name, complaint in (("plain", plain), ("sensitive", sensitive)):
        files[name] = {
            audience: await _file(complaint.id, audience)
            for audience in ("complainant", "agency", "internal")
        }
    return {"users": users, "cases": {"plain": plain.id, "sensitive": sensitive.id}, "files": files}


def _url(path: str, world: dict[str, Any], case: str) -> str:
    """The route for this case, with a file its intended readers may download."""
    audience = (
        "internal"
        if path.startswith("/cases/")
        else ("agency" if path.startswith("/agency/") else "complainant")
    )
    ids = {"complaint_id": world["cases"][case], "file_id": world["files"][case][audience]}
    return re.sub(r"\{(\w+):int\}", lambda m: str(ids[m.group(1)]), path)


async def _become(client: Any, actor: str, world: dict[str, Any]) -> None:
    client.cookies.clear()
    if actor in world["users"]:
        await sign_in(client, world["users"][actor])
    elif actor in ("complainant", "wrong receipt"):
        code = CODE if actor == "complainant" else "99999999999999999999"
        answer = await post_form(
            client, "/complaints/check", {"reference": "C26-PLAIN234", "code": code}
        )
        assert (answer.status_code == 303) == (actor == "complainant"), answer.text


async def _state() -> tuple:
    return (
        await Complaint.select(
            Complaint.status, Complaint.is_sensitive, Complaint.assigned_officer
        ),
        await CaseEvent.count(),
        await CaseFile.count(),
    )


def _refused(response: Any) -> bool:
    if response.status_code == 404:
        return True
    location = response.headers.get("location", "")
    return response.status_code == 303 and location.startswith(("/login", "/complaints/check"))


async def _request(client: Any, method: str, url: str, htmx: bool) -> Any:
    headers = {"hx-request": "true"} if htmx else {}
    if method == "GET":
        return await client.get(url, headers=headers)
    token = await csrf_token(client)
    return await client.post(
        url,
        data={
            "_csrf_token": token,
            "body": "A reply",
            "note": "A note",
            "response": "Our answer",
            "outcome": "dismissed",
            "officer": "",
            "priority": "0",
            "priority_reason": "A reason",
            "allegation": "An allegation",
            "authority": "court",
            "referred_on": "2026-01-01",
            "correction_reason": "A correction",
            "broker_name": "Another broker",
            "province": "Kandal",  # a correction keeps the case in its province
        },
        headers={**headers, "x-csrftoken": token},
    )


async def test_the_routes_cover_every_part_of_a_case():
    paths = {path for _, path in ROUTES}
    assert {p.split("/")[1] for p in paths} == {"cases", "agency", "partner", "my-case"}
    assert sum(p.startswith("/cases/") for p in paths) >= 10  # view, file, and each action


@pytest.mark.parametrize("actor", ACTORS)
async def test_only_the_intended_readers_reach_a_case(client, world, actor):
    await _become(client, actor, world)
    before = await _state()
    reached = []
    for case in ("plain", "sensitive"):
        for method, path in ROUTES:
            if case == "sensitive" and "{" not in path:
                continue  # /my-case is the cookie's own case: nothing to name
            allowed = actor in _who_may(path, case)
            for htmx in (False, True):
                url = _url(path, world, case)
                response = await _request(client, method, url, htmx)
                if not allowed:
                    assert _refused(response), (actor, method, url, response.status_code)
                    assert SECRET not in response.text, (actor, method, url)
                elif method == "GET":
                    assert response.status_code == 200, (actor, url, response.status_code)
                    reached.append(url)
                    if case == "sensitive" and path.startswith("/agency/"):
                        # Only what it needs to respond, never who complains.
                        assert SECRET not in response.text and NAME not in response.text
                        assert (ALLEGATION in response.text) == ("files" not in path)
                if not allowed and actor in world["users"] and not path.startswith("/my-case"):
                    # Signed in: the plain 404, whatever the reason.
                    assert response.status_code == 404, (actor, method, url)
    if not any(
        actor in _who_may(path, case) for case in ("plain", "sensitive") for _, path in ROUTES
    ):
        assert await _state() == before  # no refused POST changed anything
        assert reached == []
    else:
        assert reached, actor


# The reports: the public statistics (suppressed) for everyone; /reports for every account,
# each reading only its own figures whatever filters it sends; the complaint export for
# officers and admins; the statistics settings for admins.
REPORT_ROUTES = [
    (method, path)
    for router in (
        report_routes.public,
        report_routes.for_signed_in,
        report_routes.admin,
        export_routes.router,
    )
    for route in router.routes
    for handler in route.route_handlers
    for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"})
    for path in [route.path]
]
STAFF = {"committee", "officer", "assigned officer", "ministry viewer", "admin"}
SIGNED_IN = STAFF | {"agency A", "agency B", "partner X", "partner Y"}
SIGNED_IN |= {"provincial officer", "other province's officer"}
REPORT_READERS = {
    "/statistics": set(ACTORS),
    "/statistics/download/{kind:str}": set(ACTORS),
    "/reports": SIGNED_IN,
    "/reports/download/{kind:str}": SIGNED_IN,
    "/reports/cases": {"officer", "assigned officer", "admin"},
    "/reports/cases/{kind:str}/{token:str}": {"officer", "assigned officer", "admin"},
    "/reports/cases/{kind:str}/{token:str}/file": {"officer", "assigned officer", "admin"},
    "/admin/statistics": {"admin"},
    "/admin/statistics/digits": {"admin"},
}
# The complaints of the last complete quarter each reader's report counts, and a filter
# they send to try to see more (another's organisation, agency or province).
OWN = {
    "partner X": (5, "organisation=Y"),
    "partner Y": (3, "organisation=X"),
    "agency A": (5, "agency_id=B"),
    "agency B": (7, "agency_id=A"),
    "provincial officer": (8, "province=Kampot"),
    "other province's officer": (4, "province=Kandal"),
}


@pytest.fixture
async def report_world(world, make_complaint) -> dict[str, Any]:
    """12 complaints in the last complete quarter: 5 of agency A and partner X in Kandal,
    3 of agency B and partner Y in Takeo by hotline, 4 of agency B in Kampot."""
    from datetime import timedelta

    from portal.reports import figures, periods

    users = world["users"]
    agencies = {name: users[f"agency {name}"].agency for name in "AB"}
    period = periods.last_complete_quarter()
    start = figures.month_bounds(period.first)[0] + timedelta(days=10)
    groups = [
        (5, "A", users["partner X"].organisation, "Kandal", "web"),
        (3, "B", users["partner Y"].organisation, "Takeo", "hotline"),
        (4, "B", None, "Kampot", "web"),
    ]
    n = 0
    for count, agency, organisation, province, channel in groups:
        for _ in range(count):
            n += 1
            await make_complaint(
                now=start + timedelta(days=n),
                agency=agencies[agency],
                organisation=organisation,
                province=province,
                channel=channel,
            )
    await figures.rebuild_all()
    other = {
        "X": users["partner X"].organisation,
        "Y": users["partner Y"].organisation,
        **agencies,
    }
    return {**world, "period": period.key, "other": other}


def _received(response: Any, kind: str) -> int | None:
    """The complaints received, as a report page or download gives them."""
    import io

    import openpyxl
    import pypdf

    if kind == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        found = [value for label, value, *_ in rows if label == "Complaints received"]
        return int(found[0]) if found else None
    text = response.text
    if kind == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
    if kind == "csv":
        found = re.findall(r"Main figures,received,Complaints received,[^,]*,(\d+)", text)
    elif kind == "pdf":
        found = re.findall(r"(\d+) complaints were received", text)
    else:  # the page's summary, not the previous period's beside it
        found = re.findall(r'summary">In [^,]*, (\d+) complaints were received', text)
    return int(found[0]) if found else None


async def _report_request(client: Any, method: str, path: str, query: str, world: dict) -> Any:
    kinds = {"kind": "csv", "token": world.get("token", "A" * 22)}  # their export's, if any
    url = re.sub(r"\{(\w+):str\}", lambda m: kinds[m.group(1)], path)
    if method == "GET":
        return await client.get(f"{url}?{query}")
    data = {"threshold": "7", "digits": "latin", "period": world["period"], "kind": "csv"}
    return await post_form(client, url, data)


async def test_the_report_routes_are_all_in_the_matrix():
    assert {path for _, path in REPORT_ROUTES} == set(REPORT_READERS)


@pytest.mark.parametrize("actor", ACTORS)
async def test_each_reader_gets_their_own_figures_and_no_other_report(client, report_world, actor):
    from portal import display
    from portal.reports.report import threshold

    await _become(client, actor, report_world)
    period = f"period={report_world['period']}"
    full, widen = OWN.get(actor, (12, ""))
    for letter, record in report_world["other"].items():
        widen = widen.replace(f"={letter}", f"={record}")
    for method, path in REPORT_ROUTES:
        allowed = actor in REPORT_READERS[path]
        kinds = ("csv", "xlsx", "pdf") if path.endswith("download/{kind:str}") else ("",)
        for kind in kinds:
            where = path.replace("{kind:str}", kind) if kind else path
            response = await _report_request(
                client, method, where, f"{period}&{widen}", report_world
            )
            if not allowed:
                assert _refused(response), (actor, method, where, response.status_code)
                if actor in report_world["users"]:
                    assert response.status_code == 404, (actor, method, where)
                continue
            assert response.status_code in (200, 303), (actor, method, where)
            if method == "POST" and where == "/reports/cases":  # an export: wait for it
                report_world["token"] = response.headers["location"].rsplit("/", 1)[1]
                for _ in range(100):
                    if "Refresh" not in (await client.get(response.headers["location"])).headers:
                        break
                    await asyncio.sleep(0.05)
            if path.startswith("/statistics"):  # suppressed, the same for everyone
                assert _received(response, kind) == 12, (actor, where)
                if kind != "pdf":
                    assert "fewer than 5" in response.text or kind == "xlsx", (actor, where)
            elif path.startswith("/reports") and "cases" not in path:
                assert _received(response, kind) == full, (actor, where)
                if kind in ("", "csv"):
                    assert "fewer than" not in response.text, (actor, where)  # not suppressed
    changed = (await threshold(), await display.digit_style()) != (5, display.KHMER)
    assert changed == (actor == "admin")  # no refused POST changed a setting
