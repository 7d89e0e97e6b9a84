"""The Jinja environment, its filters, and the helpers that render pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import (
    Environment,
    FileSystemLoader,
    TemplateNotFound,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2.visitor import NodeTransformer
from litestar import MediaType, Request
from litestar.exceptions import TemplateNotFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from markupsafe import Markup

from portal import flash, i18n
from portal.accounts.tables import Constituency, Role
from portal.security import MIN_PASSWORD_LENGTH
from portal.settings import PROJECT_ROOT


class PortalEnvironment(Environment):
    """The pages' environment. There is one per language (`language`; see
    PortalTemplateEngine), so that `_("...")` with a literal message is translated once,
    when a template is compiled, instead of on every render: the receipt page has 25 of
    them, the article page over a hundred."""

    language = i18n.DEFAULT_LANGUAGE

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _TranslateLiterals(self.language).visit(super()._parse(source, name, filename))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`row.name` in a template: the pages' data are dicts (database rows), so look the
        key up first. Jinja tries the attribute first, and the AttributeError raised and
        caught for every key cost a tenth of the checklist article page."""
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class _TranslateLiterals(NodeTransformer):
    """`_("literal", name=value)` -> the literal's translation, marked safe where the
    template escapes, % the escaped values: what _template_gettext returns at render."""

    def __init__(self, language: str) -> None:
        self.catalog = i18n.catalog(language)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        call = node.node
        if not (
            isinstance(call, nodes.Name)
            and call.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = nodes.MarkSafeIfAutoescape(nodes.Const(self.catalog.gettext(node.args[0].value)))
        values = [nodes.Pair(nodes.Const(kw.key), kw.value) for kw in node.kwargs]
        return nodes.Mod(text, nodes.Dict(values), lineno=node.lineno)


def build_environment() -> PortalEnvironment:
    env = PortalEnvironment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        auto_reload=False,  # templates change only with a deploy: no stat() per render
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.globals["gettext"] = _template_gettext
    env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        number=i18n.format_number,
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
        role_label=Role.label_of,
        constituency_label=Constituency.label_of,
    )
    return env


@pass_eval_context
def _template_gettext(eval_context: EvalContext, message: str, **variables: Any) -> str:
    """`_(message)` in a template, for a message that is not a literal (those are
    translated when the template is compiled, to the same result): what Jinja's newstyle
    gettext does - the translation, marked safe where the template escapes, filled in
    with escaped values - without its three layers of calls."""
    text = i18n.gettext(message)
    return (Markup(text) if eval_context.autoescape else text) % variables  # noqa: S704 - our catalogue


class PortalTemplateEngine(JinjaTemplateEngine):
    """Litestar's Jinja engine, taking each page from its reader's language's environment.
    The environments are overlays of one: they share its globals and filters (Litestar
    registers csrf_token there) and keep their own compiled templates."""

    def __init__(self) -> None:
        base = build_environment()
        self.environments: dict[str, PortalEnvironment] = {}
        for language in i18n.LANGUAGES:
            env = base if language == i18n.DEFAULT_LANGUAGE else base.overlay()
            env.language = language
            self.environments[language] = env
        super().__init__(engine_instance=base)

    @property
    def current(self) -> Environment:
        return self.environments[i18n.current_language.get()]

    def get_template(self, template_name: str) -> Any:
        try:
            return self.current.get_template(template_name)
        except TemplateNotFound as exc:
            raise TemplateNotFoundException(template_name=template_name) from exc

    def render_string(self, template_string: str, context: Any) -> str:
        return self.current.from_string(template_string).render(context)


def template_engine() -> PortalTemplateEngine:
    return PortalTemplateEngine()


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
    if user.role in (Role.officer.value, Role.admin.value):
        items += [("/cases", _("Cases")), ("/cases/dashboard", _("Dashboard"))]
    if user.role == Role.admin.value:
        items += [
            ("/admin/users", _("Users")),
            ("/admin/agencies", _("Agencies")),
            ("/admin/checklists", _("Checklists")),
            ("/cycles", _("Assessment cycles")),
            ("/admin/audit", _("Audit log")),
            ("/admin/deadlines", _("Deadlines")),
            ("/admin/outbox", _("E-mail outbox")),
        ]
    elif user.role == Role.committee.value:
        items += [
            ("/cycles", _("Assessment cycles")),
            ("/committee/questions", _("Questions from agencies")),
        ]
    elif user.role == Role.agency.value:
        items.append(("/assessments", _("Self-assessment")))
    elif user.role == Role.partner.value:
        items.append(("/partner/complaints", _("Complaints")))
        items.append(("/agency/complaints", _("Complaints")))
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
