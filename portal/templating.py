"""The Jinja environment, its filters, and the helpers that render pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import MediaType, Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template

from portal import flash, i18n
from portal.accounts.tables import Constituency
from portal.core.roles import CASE_HANDLERS, Role
from portal.security import MIN_PASSWORD_LENGTH
from portal.settings import PROJECT_ROOT
from portal.static import static_url


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        # No trim_blocks: with lstrip_blocks it glued an attribute after `{% endif %}` to the
        # next line's (`requiredaria-describedby`); the newline it would trim is harmless.
        lstrip_blocks=True,
        auto_reload=False,  # templates change only with a deploy: no stat() per render
    )
    # `_()`, `gettext()` and `ngettext()` in a template: Jinja's newstyle gettext (escapes
    # what it fills in) around the same functions Python code calls, in the reader's language.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    _numbers_in_the_readers_digits(env)
    # `_` is that same gettext: the extension's alias looks `gettext` up again for every
    # string (a fifth of its cost; the article page has over a hundred).
    env.globals["_"] = env.globals["gettext"]
    env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        number=i18n.format_number,
        digits=i18n.digits,
        money=i18n.format_money,
    )
    env.globals.update(
        languages=i18n.LANGUAGES,
        current_language=i18n.current_language.get,
        navigation=navigation,
        url_with=url_with,
        choices=choices,
        min_password_length=MIN_PASSWORD_LENGTH,
        local_name=i18n.local_name,
        static_url=static_url,
        role_label=Role.label_of,
        # A label stored in the database (a rating band's name): translated when the
        # catalog has it, and never read as a format string (it may hold a "%").
        stored_label=i18n.gettext,
        constituency_label=Constituency.label_of,
    )
    return env


def _readers_digits(variables: dict[str, Any]) -> dict[str, Any]:
    return {
        name: i18n.format_number(value)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        else value
        for name, value in variables.items()
    }


def _numbers_in_the_readers_digits(env: Environment) -> None:
    """Numbers filled into a template's `_()` and `ngettext()` ("%(n)s of %(max)s points")
    are written as format_number writes them, in Khmer with Khmer digits. A translation
    that still says %(n)d needs the number itself: it gets it, in 0-9."""
    gettext: Any = env.globals["gettext"]
    ngettext: Any = env.globals["ngettext"]

    @pass_context
    def digits_gettext(context: Any, string: str, **variables: Any) -> str:
        if variables and i18n.current_language.get() != i18n.SOURCE_LANGUAGE:
            try:
                return gettext(context, string, **_readers_digits(variables))
            except TypeError:
                pass
        return gettext(context, string, **variables)

    @pass_context
    def digits_ngettext(
        context: Any, singular: str, plural: str, num: int, **variables: Any
    ) -> str:
        if i18n.current_language.get() != i18n.SOURCE_LANGUAGE:
            try:
                written = _readers_digits({"num": num, **variables})
                return ngettext(context, singular, plural, num, **written)
            except TypeError:
                pass
        return ngettext(context, singular, plural, num, **variables)

    env.globals.update(gettext=digits_gettext, ngettext=digits_ngettext)


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine(engine_instance=build_environment())


def url_with(request: Request, **changes: str) -> str:
    """This same page with its other parameters (filters, ?next=) kept and these changed:
    the language links, the "more" link of a list."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    return f"{request.url.path}?{urlencode([*params, *changes.items()])}"


def choices(labels: dict[Any, str]) -> list[tuple[str, str]]:
    """(value, translated label) options for a select, from a list of portal.labour."""
    return [(str(value), i18n.gettext(label)) for value, label in labels.items()]


def navigation(user: Any) -> list[tuple[str, str]]:
    """The menu for this user's role: (path, translated label)."""
    _ = i18n.gettext
    if user is None:
        return [
            ("/", _("Home")),
            ("/agencies", _("Agency registry")),
            ("/complaints/new", _("File a complaint")),
            ("/complaints/check", _("Check my case")),
            ("/login", _("Sign in")),
        ]
    items = [("/", _("Home")), ("/agencies", _("Agency registry"))]
    if user.role in CASE_HANDLERS:
        items += [("/cases", _("Cases")), ("/cases/dashboard", _("Dashboard"))]
    if user.role == Role.admin.value:
        items += [
            ("/admin/users", _("Users")),
            ("/admin/agencies", _("Agencies")),
            ("/admin/checklists", _("Checklists")),
            ("/cycles", _("Assessment cycles")),
            ("/admin/audit", _("Audit log")),
            ("/admin/personal-data", _("Personal data")),
            ("/admin/deadlines", _("Deadlines")),
            ("/admin/outbox", _("Outbox")),
        ]
    elif user.role == Role.committee.value:
        items += [
            ("/cycles", _("Assessment cycles")),
            ("/committee/questions", _("Questions from agencies")),
        ]
    elif user.role == Role.ministry_viewer.value:
        items.append(("/cycles", _("Assessment cycles")))
    elif user.role == Role.agency.value:
        items.append(("/assessments", _("Self-assessment")))
        items.append(("/agency/complaints", _("Complaints")))
    elif user.role == Role.partner.value:
        items.append(("/partner/complaints", _("Complaints")))
    items.append(("/account/password", _("Change password")))
    return items


def redirect(path: str, message: str | None = None) -> Redirect:
    """A 303 redirect (so a reload does not post again), optionally with a flash message."""
    cookies = [flash.flash_cookie(message)] if message else []
    return Redirect(path, status_code=303, cookies=cookies)


def render(
    request: Request, template_name: str, status_code: int = 200, **context: Any
) -> Template:
    """A page with the signed-in user, any flash message, and empty form values and errors."""
    messages = flash.read_flash(request)
    cookies = [flash.cleared_cookie()] if messages else []
    context.setdefault("user", request.scope.get("user"))
    context.setdefault("errors", {})
    context.setdefault("form", {})
    signed_in = request.scope.get("user")
    context.setdefault("unread_alerts", signed_in.unread_alerts if signed_in else None)
    return Template(
        template_name=template_name,
        context={**context, "messages": messages},
        status_code=status_code,
        cookies=cookies,
        media_type=MediaType.HTML,  # every template is a page; saves guessing from the name
    )
