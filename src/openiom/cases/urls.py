from django.urls import path

from openiom.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("panel/", views.panel, name="panel"),
    path("panel/<int:person_id>/", views.panel_person, name="panel-person"),
    path("panel/<int:person_id>/refer", views.panel_refer, name="panel-refer"),
    path("panel/<int:person_id>/decide", views.panel_decide, name="panel-decide"),
    path("lists/", views.list_index, name="lists"),
    path("lists/<str:kind>/new", views.list_entry_new, name="list-entry-new"),
    path("lists/entries/<int:entry_id>", views.list_entry, name="list-entry"),
    path("referrals/", views.partner_referrals, name="partner-referrals"),
    path("referrals/<int:referral_id>/", views.partner_referral, name="partner-referral"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/restricted/health", views.reveal_health, name="reveal"),
    path("<int:case_id>/risk", views.risk, name="risk"),
    path("<int:case_id>/needs/<str:pathway>", views.need, name="need"),
    path("<int:case_id>/plan", views.plan, name="plan"),
    path("<int:case_id>/plan/requirements", views.plan_requirement, name="plan-requirement"),
    path("<int:case_id>/plan/actions", views.plan_action, name="plan-action"),
    path("<int:case_id>/plan/actions/<int:action_id>", views.plan_action_status, name="plan-action-status"),
    path("<int:case_id>/plan/activate", views.plan_activate, name="plan-activate"),
    path("<int:case_id>/referrals/new", views.referral_new, name="referral-new"),
    path("<int:case_id>/contacts/new", views.contact_new, name="contact-new"),
    path("<int:case_id>/review", views.review, name="review"),
    path("<int:case_id>/transfer", views.transfer, name="transfer"),
    path("<int:case_id>/exit", views.exit_case, name="exit"),
]
