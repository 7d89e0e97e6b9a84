"""What each audit action code means, in words an admin reads."""

from portal.i18n import N_

ACTION_LABELS = {
    "user.signed_in": N_("Signed in"),
    "user.created": N_("Account created"),
    "user.activated": N_("Account reactivated"),
    "user.deactivated": N_("Account deactivated"),
    "user.password_reset": N_("Password reset by an administrator"),
    "user.password_changed": N_("Password changed"),
    "agency.created": N_("Agency added to the registry"),
    "agency.updated": N_("Agency record changed"),
    "agency.imported": N_("Agencies imported from a file"),
    "checklist.imported": N_("Checklist imported"),
    "checklist.published": N_("Checklist version published"),
    "checklist.new_version": N_("Checklist version started"),
    "checklist.edited": N_("Checklist draft edited"),
    "cycle.opened": N_("Assessment cycle opened"),
    "assessment.submitted": N_("Self-assessment submitted"),
    "clarification.asked": N_("Question about an indicator asked"),
    "clarification.answered": N_("Question about an indicator answered"),
    "clarification.published": N_("Answer published as guidance"),
    "deadlines.policy_changed": N_("Deadline policies changed"),
    "deadlines.holiday_added": N_("Holiday added to the calendar"),
    "deadlines.holiday_removed": N_("Holiday made a working day"),
    "user.supervisor_changed": N_("Supervisor flag changed"),
    "complaint.filed": N_("Complaint filed"),
    "complaint.replied": N_("Complainant replied on a case"),
}
