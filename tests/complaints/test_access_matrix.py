"""Who reaches which complaint, over every complaint route that names a case or its files
(pages, htmx requests, downloads, each method): anonymous visitors, someone with a wrong
receipt code, the complainant, agency A and B, partner X and Y, a committee member,
officers (assigned to the sensitive case or not), provincial officers of the worker's
province and of another, a ministry viewer and an admin. Only the intended ones get
in; everyone else gets the same 404 — or, without an account or a case cookie, the page
that asks them to sign in or to give their receipt — and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal import clock
from portal.complaints import agency_routes, case_routes, partner_routes, public_routes
from portal.complaints.tables import CaseEvent, CaseFile, Complaint
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
