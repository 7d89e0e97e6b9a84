"""What each audit action code means, in words an admin reads."""

from portal.i18n import N_
from portal.labels import LabelledEnum


class Action(LabelledEnum):
    """An audit event's action code (what `audit.record` is given), with its label."""

    user_signed_in = "user.signed_in", N_("Signed in")
    user_created = "user.created", N_("Account created")
    user_activated = "user.activated", N_("Account reactivated")
    user_deactivated = "user.deactivated", N_("Account deactivated")
    user_password_reset = "user.password_reset", N_("Password reset by an administrator")
    user_password_changed = "user.password_changed", N_("Password changed")
    agency_created = "agency.created", N_("Agency added to the registry")
    agency_updated = "agency.updated", N_("Agency record changed")
    agency_imported = "agency.imported", N_("Agencies imported from a file")
    agency_import_updated = "agency.import_updated", N_("Agency changed by a file import")
    agency_licence_renewed = "agency.licence_renewed", N_("Licence renewed")
    agency_licence_warning = "agency.licence_warning", N_("Warning recorded on a licence")
    agency_licence_suspended = "agency.licence_suspended", N_("Licence suspended")
    agency_licence_reinstated = "agency.licence_reinstated", N_("Licence reinstated")
    agency_licence_revoked = "agency.licence_revoked", N_("Licence revoked")
    agency_sanction_dismissed = "agency.sanction_dismissed", N_("Recommended sanction dismissed")
    checklist_imported = "checklist.imported", N_("Checklist imported")
    checklist_published = "checklist.published", N_("Checklist version published")
    checklist_new_version = "checklist.new_version", N_("Checklist version started")
    checklist_edited = "checklist.edited", N_("Checklist draft edited")
    cycle_opened = "cycle.opened", N_("Assessment cycle opened")
    assessment_submitted = "assessment.submitted", N_("Self-assessment submitted")
    clarification_asked = "clarification.asked", N_("Question about an indicator asked")
    clarification_answered = "clarification.answered", N_("Question about an indicator answered")
    clarification_published = "clarification.published", N_("Answer published as guidance")
    deadlines_policy_changed = "deadlines.policy_changed", N_("Deadline policies changed")
    deadlines_holiday_added = "deadlines.holiday_added", N_("Holiday added to the calendar")
    deadlines_holiday_removed = "deadlines.holiday_removed", N_("Holiday made a working day")
    user_supervisor_changed = "user.supervisor_changed", N_("Supervisor flag changed")
    user_updated = "user.updated", N_("Account details changed")
    retention_changed = "retention.changed", N_("Retention policy changed")
    retention_run = "retention.run", N_("Expired personal data anonymised")
    complaint_anonymised = "complaint.anonymised", N_("Complaint anonymised on request")
    complaint_data_exported = (
        "complaint.data_exported",
        N_("Everything held about a complainant downloaded"),
    )
    audit_exported = "audit.exported", N_("Audit log downloaded")
    review_chair_named = "review.chair_named", N_("Chair of a cycle named")
    review_panel_set = "review.panel_set", N_("Review panel named")
    review_scores_submitted = "review.scores_submitted", N_("Member's scores submitted")
    review_consensus_saved = "review.consensus_saved", N_("Consensus scores recorded")
    review_rating_published = "review.rating_published", N_("Rating published")
    review_returned = "review.returned", N_("Assessment returned for revision")
    review_rating_accepted = "review.rating_accepted", N_("Rating accepted by the agency")
    review_rating_contested = "review.rating_contested", N_("Rating contested by the agency")
    review_contest_decided = "review.contest_decided", N_("Contest of a rating decided")
    improvement_added = "improvement.added", N_("Improvement action set")
    improvement_updated = "improvement.updated", N_("Improvement action updated by the agency")
    improvement_verified = "improvement.verified", N_("Improvement action verified")
    improvement_reopened = "improvement.reopened", N_("Improvement action reopened")
    complaint_filed = "complaint.filed", N_("Complaint filed")
    complaint_replied = "complaint.replied", N_("Complainant replied on a case")
    complaint_status_changed = "complaint.status_changed", N_("Complaint status changed")
    complaint_reopened = "complaint.reopened", N_("Complaint reopened on appeal")
    complaint_assigned = "complaint.assigned", N_("Complaint assigned to an officer")
    complaint_outcome_recorded = "complaint.outcome_recorded", N_("Complaint outcome recorded")
    complaint_note_added = "complaint.note_added", N_("Internal note added to a complaint")
    complaint_message_sent = "complaint.message_sent", N_("Message sent to a complainant")
    complaint_sensitive_marked = "complaint.sensitive_marked", N_("Complaint marked sensitive")
    complaint_sensitive_cleared = (
        "complaint.sensitive_cleared",
        N_("Sensitive mark removed from a complaint"),
    )
    complaint_sensitive_opened = "complaint.sensitive_opened", N_("Sensitive complaint opened")
    complaint_priority_marked = "complaint.priority_marked", N_("Complaint marked priority")
    complaint_priority_cleared = (
        "complaint.priority_cleared",
        N_("Complaint no longer marked priority"),
    )
    complaint_allegation_written = (
        "complaint.allegation_written",
        N_("Allegation written for the agency"),
    )
    complaint_facts_corrected = "complaint.facts_corrected", N_("Complaint facts corrected")
    complaint_referred = "complaint.referred", N_("Complaint referred to another authority")
    complaint_agency_responded = "complaint.agency_responded", N_("Agency responded to a complaint")
    report_exported = "report.exported", N_("Report or statistics downloaded")
    report_cases_exported = "report.cases_exported", N_("Complaint export prepared")
    report_threshold_changed = (
        "report.threshold_changed",
        N_("Smallest count shown in the public statistics changed"),
    )
    display_digits_changed = "display.digits_changed", N_("Digits on Khmer pages changed")


# Actions whose summary is "<status> → <status>", written with the statuses' codes.
_STATUS_CHANGES = {"complaint.status_changed", "complaint.reopened"}


def readable_summary(action: str, summary: str) -> str:
    """An entry's details in the reader's language: a status change's "received →
    acknowledged" with the statuses' labels rather than their codes."""
    if action not in _STATUS_CHANGES or " → " not in summary:
        return summary
    from portal.complaints.states import Status  # complaints record audit events: no cycle

    return " → ".join(Status.label_of(code) for code in summary.split(" → "))
