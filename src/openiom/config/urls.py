from django.urls import include, path

urlpatterns = [
    path("", include("openiom.web.urls")),
    path("", include("openiom.accounts.urls")),
    path("people/", include("openiom.people.urls")),
    path("reference/", include("openiom.reference.urls")),
    path("evaluation/", include("openiom.evaluation.urls")),
    path("access/", include("openiom.access.urls")),
    path("cases/", include("openiom.cases.urls")),
    path("cohorts/", include("openiom.cohorts.urls")),
    path("identity/", include("openiom.identity.urls")),
    path("performance/", include("openiom.performance.urls")),
    path("api/v1/", include("openiom.api.urls")),
    path("", include("openiom.audit.urls")),
]

handler400 = "openiom.web.views.bad_request"
handler403 = "openiom.web.views.permission_denied"
handler404 = "openiom.web.views.page_not_found"
handler500 = "openiom.web.views.server_error"
