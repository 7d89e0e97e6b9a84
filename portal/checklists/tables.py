"""COC checklists: template versions with their sections (the COC's articles) and
indicators; assessment cycles; each agency's self-assessment with answers, evidence and
clarification questions.

A template version is a draft until published; a published version never changes (a
change makes the next version), so answers and scores stay tied to the wording they were
made on: an answer points at an indicator of the cycle's version."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.core.tables import FileColumns
from portal.i18n import N_
from portal.labels import LabelledEnum


class TemplateStatus(LabelledEnum):
    draft = "draft", N_("Draft")
    published = "published", N_("Published")


class ChecklistTemplate(Table):
    """One version of a checklist. Versions of the same checklist share a `family`."""

    id: Serial
    family = Varchar(length=100, index=True)
    version = Integer(default=1)
    title_en = Varchar(length=300)
    title_km = Varchar(length=300, default="")
    description_en = Text(default="")
    description_km = Text(default="")
    status = Varchar(length=10, choices=TemplateStatus, default=TemplateStatus.draft)
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)


class Section(Table):
    """An article of the Code of Conduct, within one template version."""

    id: Serial
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    code = Varchar(length=20)
    title_en = Text()
    title_km = Text(default="")


class Indicator(Table):
    """One thing the agency answers and the committee scores 0 to max_score."""

    id: Serial
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.cascade, index=True)
    section = ForeignKey(references=Section, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    code = Varchar(length=20)
    text_en = Text()
    text_km = Text(default="")
    guidance_en = Text(default="")
    guidance_km = Text(default="")
    evidence_hint_en = Text(default="")
    evidence_hint_km = Text(default="")
    evidence_required = Boolean(default=True)
    max_score = Integer(default=2)


class AssessmentCycle(Table, tablename="cycle"):
    """A round of self-assessment on one published template version."""

    id: Serial
    title_en = Varchar(length=300)
    title_km = Varchar(length=300, default="")
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.restrict, index=True)
    opens_on = Date()
    submission_deadline = Date(index=True)
    review_deadline = Date(index=True)
    created_at = Timestamptz()
    # The committee member who records consensus scores and publishes ratings.
    chair = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    # Rating bands, one per line: "85 A Compliant" (see portal.checklists.scoring).
    bands = Text(default="")
    # The agency's right of reply: working days to accept or contest a rating before it is public.
    reply_days = Integer(default=10)


class AssessmentStatus(LabelledEnum):
    """Where a self-assessment stands; it moves only through `portal.checklists.states`."""

    in_progress = "in_progress", N_("In progress")
    submitted = "submitted", N_("Submitted")  # with the committee (first round or resubmitted)
    # back with the agency: only the named indicators reopen
    returned = "returned", N_("Returned for revision")
    rated = "rated", N_("Rated")  # a rating is published


class Assessment(Table):
    """One agency's self-assessment in one cycle."""

    id: Serial
    cycle = ForeignKey(references=AssessmentCycle, on_delete=OnDelete.cascade, index=True)
    agency = ForeignKey(references=Agency, on_delete=OnDelete.cascade, index=True)
    # "cycle:agency", unique: an agency takes part in a cycle once.
    participation = Varchar(length=40, unique=True)
    status = Varchar(
        length=20, choices=AssessmentStatus, default=AssessmentStatus.in_progress, index=True
    )
    # Indicators answered in full (with evidence where required), kept for the committee list.
    complete_count = Integer(default=0)
    updated_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    # Review rounds: 1 for the first submission, one more for each return for revision.
    round = Integer(default=1)


class AnswerChoice(LabelledEnum):
    met = "met", N_("Met")
    partly_met = "partly_met", N_("Partly met")
    not_met = "not_met", N_("Not met")
    not_applicable = "not_applicable", N_("Not applicable")


class Answer(Table):
    """The agency's answer to one indicator."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    # "assessment:indicator", unique: one answer per indicator, saved over as they go.
    slot = Varchar(length=40, unique=True)
    choice = Varchar(length=20, choices=AnswerChoice, null=True, default=None)
    explanation = Text(default="")
    updated_at = Timestamptz()
    updated_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class Evidence(FileColumns, Table):
    """A file the agency attached to an indicator (policy, regulation, contract...)."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class Clarification(Table):
    """ "What does this indicator mean?" - asked by an agency, answered by the committee, and
    published as guidance for every agency in the cycle when the answer is a good one."""

    id: Serial
    cycle = ForeignKey(references=AssessmentCycle, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict, index=True)
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    question = Text()
    asked_at = Timestamptz()
    asked_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    published = Boolean(default=False)


# --- committee review ------------------------------------------------------------------


class PanelMember(Table):
    """A committee member assigned to score one assessment in one round. Their scores stay
    hidden from the others until `submitted_at`, and the others' from them until then too."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    round = Integer(default=1)
    # "assessment:member:round", unique.
    seat = Varchar(length=40, unique=True)
    submitted_at = Timestamptz(null=True, default=None)


class MemberScore(Table):
    """One member's score of one indicator in one round: 0..max_score, or not applicable."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    member = ForeignKey(references=User, on_delete=OnDelete.cascade)
    round = Integer(default=1)
    # "assessment:indicator:member:round", unique: saved over until submitted.
    slot = Varchar(length=60, unique=True)
    score = Integer(null=True, default=None)
    not_applicable = Boolean(default=False)
    comment = Text(default="")
    updated_at = Timestamptz()


class ConsensusScore(Table):
    """The chair's agreed score of one indicator in one round; the agency sees these."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    round = Integer(default=1)
    slot = Varchar(length=60, unique=True)  # "assessment:indicator:round"
    score = Integer(null=True, default=None)
    not_applicable = Boolean(default=False)
    comment = Text(default="")  # feedback the agency reads
    reason = Text(default="")  # why the chair departed from the suggested score
    decided_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz()


class ReturnedIndicator(Table):
    """An indicator the chair reopened for the agency when returning the assessment."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    round = Integer()  # the round that returned it
    feedback = Text(default="")
    returned_at = Timestamptz()


class ReplyStatus(LabelledEnum):
    """Where the agency's right of reply to its rating stands."""

    open = "open", N_("Waiting for the agency's reply")
    accepted = "accepted", N_("Accepted by the agency")
    contested = "contested", N_("Contested by the agency")
    upheld = "upheld", N_("Contest decided: rating upheld")
    changed = "changed", N_("Contest decided: rating changed")


class Rating(Table):
    """The rating the chair decided for one agency in one cycle. It is public (registry,
    statistics) from `published_at` on: the end of the agency's reply window, or when the
    agency accepts it; a contested one only once the chair has decided on the contest."""

    id: Serial
    assessment = ForeignKey(references=Assessment, on_delete=OnDelete.cascade, unique=True)
    agency = ForeignKey(references=Agency, on_delete=OnDelete.cascade, index=True)
    cycle = ForeignKey(references=AssessmentCycle, on_delete=OnDelete.cascade, index=True)
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.restrict)
    points = Integer()
    applicable_maximum = Integer()
    full_maximum = Integer()
    total = Numeric(digits=(6, 1))
    percent = Numeric(digits=(4, 1))
    band_code = Varchar(length=5)
    band_label = Varchar(length=100)
    published_at = Timestamptz(index=True)
    published_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz(null=True, default=None)
    reply_due = Timestamptz(null=True, default=None)  # the reply window closes
    reply = Varchar(length=20, choices=ReplyStatus, default=ReplyStatus.open)
    reply_reason = Text(default="")  # why the agency contests it
    replied_at = Timestamptz(null=True, default=None)
    replied_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    decision_reason = Text(default="")  # the chair's answer to a contest
    contest_decided_at = Timestamptz(null=True, default=None)
    band_before = Varchar(length=5, default="")  # the band contested, when the chair changed it


class ReplyFile(FileColumns, Table):
    """A file the agency attached when contesting its rating."""

    id: Serial
    rating = ForeignKey(references=Rating, on_delete=OnDelete.cascade, index=True)
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class ActionStatus(LabelledEnum):
    open = "open", N_("To do")
    # the agency says it is done; waiting for verification
    done = "done", N_("Done, waiting for verification")
    verified = "verified", N_("Verified")
    reopened = "reopened", N_("Reopened")


class ImprovementAction(Table):
    """Something the agency must improve after its rating, by a date."""

    id: Serial
    rating = ForeignKey(references=Rating, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(references=Indicator, on_delete=OnDelete.restrict)
    action_en = Text()
    action_km = Text(default="")
    due_on = Date(index=True)
    status = Varchar(length=20, choices=ActionStatus, default=ActionStatus.open)
    agency_note = Text(default="")
    committee_note = Text(default="")
    updated_at = Timestamptz()
    verified_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class ActionFile(FileColumns, Table):
    """Evidence the agency attached when updating an improvement action."""

    id: Serial
    action = ForeignKey(references=ImprovementAction, on_delete=OnDelete.cascade, index=True)
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
