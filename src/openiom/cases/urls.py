from django.urls import path

from openiom.cases.views import case, caseload, casework, lists, panel, partner, plan

app_name = "cases"
urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("panel/", panel.panel, name="panel"),
    path("panel/<int:person_id>/", panel.panel_person, name="panel-person"),
    path("panel/<int:person_id>/refer", panel.panel_refer, name="panel-refer"),
    path("panel/<int:person_id>/decide", panel.panel_decide, name="panel-decide"),
    path("lists/", lists.list_index, name="lists"),
    path("lists/<str:kind>/new", lists.list_entry_new, name="list-entry-new"),
    path("lists/entries/<int:entry_id>", lists.list_entry, name="list-entry"),
    path("referrals/", partner.partner_referrals, name="partner-referrals"),
    path("referrals/<int:referral_id>/", partner.partner_referral, name="partner-referral"),
    path(
        "referrals/<int:referral_id>/restricted/health", partner.partner_reveal_health, name="partner-reveal"
    ),
    path("<int:case_id>/", case.detail, name="detail"),
    path("<int:case_id>/restricted/health", case.reveal_health, name="reveal"),
    path("<int:case_id>/risk", case.risk, name="risk"),
    path("<int:case_id>/needs/<str:pathway>", case.need, name="need"),
    path("<int:case_id>/plan", plan.plan, name="plan"),
    path("<int:case_id>/plan/requirements", plan.plan_requirement, name="plan-requirement"),
    path("<int:case_id>/plan/actions", plan.plan_action, name="plan-action"),
    path("<int:case_id>/plan/actions/<int:action_id>", plan.plan_action_status, name="plan-action-status"),
    path("<int:case_id>/plan/actions/<int:action_id>/edit", plan.plan_action_edit, name="plan-action-edit"),
    path(
        "<int:case_id>/plan/requirements/<int:requirement_id>",
        plan.plan_requirement_edit,
        name="plan-requirement-edit",
    ),
    path(
        "<int:case_id>/plan/requirements/<int:requirement_id>/withdraw",
        plan.plan_requirement_withdraw,
        name="plan-requirement-withdraw",
    ),
    path("<int:case_id>/plan/activate", plan.plan_activate, name="plan-activate"),
    path("<int:case_id>/referrals/new", casework.referral_new, name="referral-new"),
    path("<int:case_id>/contacts/new", casework.contact_new, name="contact-new"),
    path("<int:case_id>/review", casework.review, name="review"),
    path("<int:case_id>/transfer", casework.transfer, name="transfer"),
    path("<int:case_id>/exit", casework.exit_case, name="exit"),
    path("<int:case_id>/reopen", casework.reopen_case, name="reopen"),
]
