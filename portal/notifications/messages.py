"""What each kind of alert says, in the reader's language.

An alert stores its kind and the facts (`params`); the words are chosen when it is shown
(the portal list, in the reader's language) or queued (the e-mail, in the recipient's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from portal import i18n
from portal.deadlines import Stage
from portal.i18n import N_


@dataclass(frozen=True)
class AlertText:
    subject: str
    body: str


KINDS: dict[str, AlertText] = {
    "licence_expiry": AlertText(
        N_("The licence of %(agency)s expires on %(date)s"),
        N_(
            "Licence %(licence)s of %(agency)s expires on %(date)s, in %(days)s days. "
            "Renew it in time, or the agency may no longer recruit workers."
        ),
    ),
    "suspension_ended": AlertText(
        N_("The suspension of %(agency)s ended on %(date)s"),
        N_(
            "The suspension of licence %(licence)s of %(agency)s ended on %(date)s. The "
            "licence stays suspended until you record its reinstatement (or a revocation)."
        ),
    ),
    "stage_due_soon": AlertText(
        N_("%(stage)s for complaint %(reference)s is due on %(date)s"),
        N_("%(stage)s for complaint %(reference)s is due on %(date)s. Act before then."),
    ),
    "stage_overdue": AlertText(
        N_("%(stage)s for complaint %(reference)s is overdue"),
        N_("%(stage)s for complaint %(reference)s was due on %(date)s and is now overdue."),
    ),
    "stage_escalated": AlertText(
        N_("Escalated: %(stage)s for complaint %(reference)s is overdue"),
        N_(
            "%(stage)s for complaint %(reference)s was due on %(date)s and is still not done. "
            "As a supervisor, please follow it up."
        ),
    ),
    "safeguarding_filed": AlertText(
        N_("Priority: complaint %(reference)s needs safeguarding"),
        N_(
            "Complaint %(reference)s names a worker under 18 or signs of abuse, forced labour "
            "or trafficking. It is marked sensitive and priority: assign an officer now."
        ),
    ),
    "submission_due": AlertText(
        N_("Your self-assessment for %(cycle)s is due on %(date)s"),
        N_(
            "The self-assessment for %(cycle)s must be submitted by %(date)s. Complete every "
            "indicator, attach the evidence, and submit it to the committee before then."
        ),
    ),
    "submission_overdue": AlertText(
        N_("Your self-assessment for %(cycle)s is overdue"),
        N_(
            "The submission deadline for %(cycle)s was %(date)s and your self-assessment has "
            "not been submitted. Submit it as soon as you can; it will be marked late."
        ),
    ),
    "review_due": AlertText(
        N_("Review of %(cycle)s is due on %(date)s"),
        N_(
            "%(count)s submitted self-assessments of %(cycle)s wait for the committee's "
            "review, due by %(date)s."
        ),
    ),
    "improvement_due": AlertText(
        N_("An improvement action for %(cycle)s is due on %(date)s"),
        N_(
            "The committee asked your agency to: %(action)s. Report what you have done, with "
            "evidence, on your feedback page by %(date)s."
        ),
    ),
    "improvement_overdue": AlertText(
        N_("An improvement action for %(cycle)s is overdue"),
        N_(
            "The committee asked your agency to: %(action)s, by %(date)s. Report what you have "
            "done, with evidence, on your feedback page as soon as you can."
        ),
    ),
    # Case news, for officers, agency staff and the partner that filed (case_news): the
    # reference only, never a name or what the complaint says.
    "complainant_replied": AlertText(
        N_("New from the complainant on complaint %(reference)s"),
        N_(
            "The complainant's side sent a message or a file on complaint %(reference)s. "
            "Open the case to read it."
        ),
    ),
    "agency_responded": AlertText(
        N_("The agency responded on complaint %(reference)s"),
        N_("The agency sent its response on complaint %(reference)s. Open the case to read it."),
    ),
    "response_requested": AlertText(
        N_("Your response is requested on complaint %(reference)s"),
        N_(
            "The case officer asks your agency to respond to complaint %(reference)s by "
            "%(date)s. Open the complaint in the portal to read the request and respond."
        ),
    ),
    "case_news": AlertText(
        N_("News on complaint %(reference)s"),
        N_("%(news)s Open the case in the portal to read it."),
    ),
}

# What changed on a case, as the complainant (and the partner that filed) are told it:
# no detail, only what to look at with the receipt (portal/complaints/notices.py).
NEWS: dict[str, str] = {
    "acknowledged": N_("The complaint has been acknowledged."),
    "message": N_("The case officer has sent a message."),
    "question": N_(
        "The case officer has a question. The case's deadlines wait until it is answered."
    ),
    "resumed": N_("The answer has been received and the case's deadlines run again."),
    "agency_responded": N_("The agency has sent its response."),
    "outcome": N_("An outcome has been recorded."),
    "closed": N_("The case has been closed."),
    "reopened": N_("The case has been reopened."),
}


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate in `language` inside the block (an e-mail for someone else)."""
    token = i18n.current_language.set(language if language in i18n.LANGUAGES else "en")
    try:
        yield
    finally:
        i18n.current_language.reset(token)


@lru_cache(maxsize=512)
def _day(day: date, language: str) -> str:
    # Many alerts of one scan share a date; babel's formatting is the slow part of a message.
    return i18n.format_date(day)


def _values(params: dict[str, Any], due_at: datetime) -> dict[str, str]:
    values = {key: str(value) for key, value in params.items()}
    values["date"] = _day(i18n.local_time(due_at).date(), i18n.current_language.get())
    if "agency_en" in params:
        values["agency"] = i18n.local_name(params["agency_en"], params.get("agency_km"))
    if "cycle_en" in params:
        values["cycle"] = i18n.local_name(params["cycle_en"], params.get("cycle_km"))
    if "count" in params:
        values["count"] = i18n.format_number(int(params["count"]))
    if "stage" in params:
        values["stage"] = Stage(params["stage"]).label
    if "action_en" in params:
        values["action"] = i18n.local_name(params["action_en"], params.get("action_km"))
    if "days" in params:
        values["days"] = i18n.format_number(int(params["days"]))
    if "news" in params:
        sentence = NEWS[params["news"]]
        values["news"] = i18n.gettext(sentence)
    return values


def render(kind: str, params: dict[str, Any], due_at: datetime) -> AlertText:
    """The alert's subject and body in the current language."""
    text = KINDS[kind]
    values = _values(params, due_at)
    return AlertText(i18n.gettext(text.subject) % values, i18n.gettext(text.body) % values)


def email_body(text: AlertText, link: str, base_url: str, name: str) -> str:
    """The plain-text e-mail around an alert, in the current language."""
    _ = i18n.gettext
    lines = [
        _("Hello %(name)s,") % {"name": name},
        "",
        text.body,
        "",
        _("Open it in the portal: %(url)s") % {"url": base_url + (link or "/alerts")},
        "",
        _("You get this e-mail because of your role in the Fair Recruitment Portal."),
    ]
    return "\n".join(lines)


def complainant_sms(news: str, base_url: str) -> str:
    """The text message to a complainant, in the current language."""
    return i18n.gettext(
        "Fair Recruitment Portal: %(news)s Check your case at %(url)s with your receipt."
    ) % {"news": i18n.gettext(NEWS[news]), "url": base_url + "/my-case"}


def complainant_email(news: str, base_url: str) -> AlertText:
    """The e-mail to a complainant, in the current language."""
    _ = i18n.gettext
    lines = [
        _("Hello,"),
        "",
        _(NEWS[news]),
        "",
        _("Check your case at %(url)s with the reference and receipt code on your receipt.")
        % {"url": base_url + "/my-case"},
        "",
        _(
            "You get this e-mail because you asked to hear about your complaint by e-mail. "
            "For your safety it says no more."
        ),
    ]
    return AlertText(_("News on your complaint"), "\n".join(lines))
