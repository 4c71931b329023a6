"""Every action the audit trail records, by name: the one registry of audit action names.

`audit_record` refuses any other name, so a misspelt or invented action fails loudly at the call
instead of writing a row nobody will ever search for; code that names a member (AuditAction.CASE_VIEW)
fails when the module is imported. The values are the names stored in audit rows, so they never
change once used. Actions whose name depends on data (a panel decision, a restricted group, a
retention rule, an import kind) are looked up through the explicit tables below, never built from
strings. A command-line action is audited under its permission action's own name.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class AuditAction(StrEnum):
    ACCOUNTS_SIGN_IN = "accounts.sign_in"
    USER_CREATE = "user.create"
    OTP_ENROL = "otp.enrol"
    USER_UPDATE = "user.update"
    USER_DEACTIVATE = "user.deactivate"
    OTP_RESET = "otp.reset"
    AGENCY_CREATE = "agency.create"
    SCHEME_CREATE = "scheme.create"
    AGREEMENT_CREATE = "agreement.create"
    AGREEMENT_RENEW = "agreement.renew"
    AGREEMENT_END = "agreement.end"
    PERMISSION_DENIED = "permission.denied"
    ALERTS_VIEW = "alerts.view"
    ALERTS_ACKNOWLEDGE = "alerts.acknowledge"
    ALERTS_REVIEW = "alerts.review"
    NATIONAL_VIEW = "national.view"
    AUDIT_VERIFY = "audit.verify"
    PERSON_SEARCH = "person.search"
    PERSON_VIEW = "person.view"
    PERSON_ACCESS_LOG = "person.access_log"
    PERSON_ACCESS_LOG_EXPORT = "person.access_log.export"
    PERSON_SUBJECT_ACCESS = "person.subject_access"
    RESTRICTED_VICTIM = "restricted.victim"
    RESTRICTED_HEALTH = "restricted.health"
    RESTRICTED_EMERGENCY = "restricted.emergency"
    CASELOAD_VIEW = "caseload.view"
    CASE_VIEW = "case.view"
    CASE_EXIT = "case.exit"
    CASE_REOPEN = "case.reopen"
    CASE_RISK = "case.risk"
    CASE_NEED = "case.need"
    CASE_NEED_VIEW = "case.need.view"
    CASE_FORM_VIEW = "case.form.view"
    CASE_PLAN = "case.plan"
    CASE_CONTACT = "case.contact"
    CASE_REVIEW = "case.review"
    CASE_TRANSFER = "case.transfer"
    PANEL_VIEW = "panel.view"
    PANEL_REFER = "panel.refer"
    PANEL_ADOPT = "panel.adopt"
    PANEL_DECLINE = "panel.decline"
    PANEL_DEFER = "panel.defer"
    PANEL_DESELECT = "panel.deselect"
    REFERRAL_LIST = "referral.list"
    REFERRAL_VIEW = "referral.view"
    REFERRAL_SEND = "referral.send"
    REFERRAL_UPDATE = "referral.update"
    LISTS_CREATE = "lists.create"
    LISTS_UPDATE = "lists.update"
    COHORT_ANALYSE = "cohort.analyse"
    COHORT_DEFINITION_SAVE = "cohort.definition.save"
    COHORT_RESULTS_VIEW = "cohort.results.view"
    COHORT_TRANSPARENCY_SAVE = "cohort.transparency.save"
    COHORT_TRANSPARENCY_PUBLISH = "cohort.transparency.publish"
    EVALUATION_RUN = "evaluation.run"
    EVALUATION_VIEW = "evaluation.view"
    EVALUATION_DOWNLOAD = "evaluation.download"
    EVALUATION_CANCEL = "evaluation.cancel"
    DATA_IMPORT = "data.import"
    IMPORT_PEOPLE = "import.people"
    IMPORT_EVENTS = "import.events"
    REFERENCE_VIEW = "reference.view"
    REFERENCE_MANAGE = "reference.manage"
    REFERENCE_LOAD = "reference.load"
    REFERENCE_ACTIVATE = "reference.activate"
    API_REGISTER_CLIENT = "api.register_client"
    API_TOKEN = "api.token"  # noqa: S105 - an audit action's name, not a secret
    API_CALL = "api.call"
    RETENTION_MANAGE = "retention.manage"
    RETENTION_REVIEW = "retention.review"
    RETENTION_APPROVE = "retention.approve"
    RETENTION_DELETE = "retention.delete"
    RETENTION_ANONYMISE = "retention.anonymise"

    IDENTITY_LINK = "identity.link"
    LINK_RUN = "link.run"
    LINK_MERGE = "link.merge"
    LINK_UNMERGE = "link.unmerge"
    LINK_SEPARATE = "link.separate"
    LINK_QUEUE_VIEW = "link.queue_view"
    LINK_PAIR_VIEW = "link.pair_view"
    LINK_RECORDS_VIEW = "link.records_view"

    PERFORMANCE_REPORT = "performance.report"
    PERFORMANCE_REPORT_START = "performance.report_start"
    PERFORMANCE_VIEW = "performance.view"
    PERFORMANCE_DOWNLOAD = "performance.download"
    PERFORMANCE_QUALITY_VIEW = "performance.quality_view"

    WORKFORCE_VIEW = "workforce.view"
    WORKFORCE_DOWNLOAD = "workforce.download"
    TRAINING_OWN = "training.own"
    TRAINING_RECORD = "training.record"
    TRAINING_IMPORT = "training.import"
    COURSE_CREATE = "course.create"
    COURSE_UPDATE = "course.update"
    ALLOCATION_OVERRIDE = "allocation.override"
    TRAINING_ALERT = "training.alert"
    LANES_MANAGE = "lanes.manage"


class UnknownAuditAction(ValueError):
    pass


def audit_action(name: str) -> AuditAction:
    """The registered action called `name`, or a clear error naming it (nothing is written)."""
    try:
        return AuditAction(name)
    except ValueError:
        raise UnknownAuditAction(
            f"{name!r} is not an audit action: add it to AuditAction in openiom/audit/actions.py"
        ) from None


# Keyed by the stored codes (cases Decision, access field groups, retention rules, import kinds).
PANEL_DECISION_ACTIONS = {
    "adopt": AuditAction.PANEL_ADOPT,
    "decline": AuditAction.PANEL_DECLINE,
    "defer": AuditAction.PANEL_DEFER,
    "deselect": AuditAction.PANEL_DESELECT,
}
RESTRICTED_OPEN_ACTIONS = {
    "victim": AuditAction.RESTRICTED_VICTIM,
    "health": AuditAction.RESTRICTED_HEALTH,
}
RETENTION_APPLY_ACTIONS = {
    "delete": AuditAction.RETENTION_DELETE,
    "anonymise": AuditAction.RETENTION_ANONYMISE,
}
IMPORT_ACTIONS = {
    "people": AuditAction.IMPORT_PEOPLE,
    "events": AuditAction.IMPORT_EVENTS,
}
