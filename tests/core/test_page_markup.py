"""Every page's HTML is valid: the Nu HTML checker finds no error on any page of any role
in either language, and no two attributes are glued together by the templates' whitespace
(`requiredaria-describedby` cost the new-user form's password field its `required`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

VNU_VERSION = "26.9.27"
# vnu-jar from npm, installed once into a cache outside the worktree.
VNU_PREFIX = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "portal-tests"
    / f"vnu-jar-{VNU_VERSION}"
)
VNU_JAR = VNU_PREFIX / "node_modules/vnu-jar/build/dist/vnu.jar"

# Every attribute name the portal's pages may use; a glued pair such as
# `requiredaria-describedby` is none of them.
ATTRIBUTES = set(
    """accept accept-charset action alt as aria-current aria-describedby aria-expanded
    aria-hidden aria-invalid aria-label aria-labelledby aria-live aria-atomic aria-busy
    aria-controls aria-sort aria-valuemax aria-valuemin aria-valuenow autocomplete autofocus
    charset checked class cols colspan content crossorigin datetime defer dir disabled download
    enctype for form formaction formmethod formnovalidate headers height hidden href hreflang
    http-equiv id inputmode lang list max maxlength media method min minlength multiple name
    novalidate open pattern placeholder readonly rel required role rows rowspan scope selected
    size span spellcheck src start step style tabindex target title type value viewbox width
    xmlns d x y x1 x2 y1 y2 rx ry fill stroke stroke-width focusable font-size font-family
    font-weight text-anchor dominant-baseline transform points preserveaspectratio""".split()
)
_AFTER_QUOTED_VALUE = re.compile(r"""=\s*("[^"]*"|'[^']*')[^\s/>]""")


class _GluedAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or ""
        unknown = [
            name
            for name, _ in attrs
            if name not in ATTRIBUTES and not name.startswith(("data-", "aria-"))
        ]
        if unknown or _AFTER_QUOTED_VALUE.search(text):
            self.found.append(f"{text[:160]} (attributes {unknown})")


async def test_no_page_glues_two_attributes_together(site_documents):
    glued = []
    for document in site_documents:
        parser = _GluedAttributes()
        parser.feed(document.html)
        glued += [f"{document.name}: {tag}" for tag in parser.found]
    assert not glued, "attributes glued together:\n" + "\n".join(glued)


def test_the_new_user_password_field_is_required_and_has_its_hint(site_documents):
    page = next(d for d in site_documents if d.name == "admin /admin/users/new (en)")
    field = re.search(r"<input[^>]*name=\"password\"[^>]*>", page.html).group(0)
    assert re.search(r"\srequired[\s>]", field) and 'aria-describedby="h-password"' in field


# Every kind of page the crawl must reach, as each role (tests/site_pages.py names them):
# a page missing here means a test of the markup and of accessibility silently skips it.
MUST_HAVE = """
public /|public /agencies/#|public /complaints/new with errors|public receipt|public /my-case
public /complaints/check with errors|public /login with errors|public page not found
admin draft /admin/checklists/#|admin /admin/checklists/#/indicators/#
admin /admin/checklists/#/indicators/# with errors|admin /admin/checklists/#/sections/#
admin /admin/checklists/#/sections/# with errors|admin /admin/outbox/#|admin /admin/outbox/sms/#
admin /admin/agencies/import preview|admin /admin/agencies/#/sanctions/#
admin /admin/agencies/#/sanctions/#/confirm with errors|admin /admin/users/#/edit with errors
admin /admin/personal-data/export with errors|admin /admin/personal-data/anonymise with errors
admin /admin/checklists/#/sections/new with errors|admin /admin/audit
admin /admin/deadlines with errors|officer /reports/cases/csv/*
officer case received /cases/#|officer case investigation /cases/#|officer case closed /cases/#
officer /cases/#/request-response with errors|officer /cases/#/outcome with errors
officer /cases/#/message with errors|officer /cases/#/sensitive with errors
officer /cases/#/referral with errors|officer /cases/#/facts with errors
officer /cases/#/allegation with errors|officer /cases/#/priority with errors
officer /cases/#/note with errors|officer /cases/#/assign with errors|officer /cases/dashboard
supervisor /cases/#|supervisor /cases/dashboard|provincial /cases|provincial /cases/#
ministry /|ministry /agencies/#|ministry /cycles/#|ministry /reports
committee under review /reviews/#|committee /reviews/#/return with errors
committee /committee/questions|committee /committee/questions/# with errors
committee /cycles/#/heatmap|agency /assessments/#/feedback
agency case awaiting_agency /agency/complaints/#|agency /agency/complaints/#/response with errors
agency /assessments/#/sections/#|agency /assessments/#/actions/# with errors
agency /assessments/#/submit refused
public /my-case/reply with errors
partner /partner/complaints/#|partner /partner/complaints/#/reply with errors
partner /partner/complaints/new with errors
"""


def test_the_crawl_reaches_every_kind_of_page(site_documents):
    collected = {d.name for d in site_documents}
    missing = [
        f"{kind} ({language})"
        for kind in MUST_HAVE.replace("\n", "|").strip("|").split("|")
        for language in ("en", "km")
        if f"{kind} ({language})" not in collected
    ]
    assert not missing, "pages the crawl no longer reaches:\n" + "\n".join(missing)


def vnu_jar() -> Path:
    """vnu.jar, installed from npm into the cache the first time (CI starts empty)."""
    if not VNU_JAR.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install vnu-jar (Debian: apt-get install npm)"
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(VNU_PREFIX),
                "--no-save",
                "--no-audit",
                "--no-fund",
                f"vnu-jar@{VNU_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
    return VNU_JAR


def test_every_page_passes_the_nu_html_checker(site_documents, tmp_path):
    java = shutil.which("java")
    assert java, "Java is needed for the Nu checker (Debian: apt-get install default-jre-headless)"
    names = {}
    for n, document in enumerate(site_documents):
        path = tmp_path / f"{n}.html"
        path.write_text(document.html, encoding="utf-8")
        names[path.name] = document.name
    # One JVM for every page: starting one per page would take a minute.
    result = subprocess.run(
        [
            java,
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{names.get(str(m.get('url')).rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine')}: {m['message']}"
        f"  [{(m.get('extract') or '').strip()[:120]}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, f"{len(errors)} Nu checker errors:\n" + "\n".join(errors)
