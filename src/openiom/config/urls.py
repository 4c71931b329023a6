from django.urls import URLResolver, include, path
from django.urls.resolvers import RoutePattern

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
    path("workforce/", include("openiom.workforce.urls")),
    # Built without include(), which imports at once: the REST API (and Django REST framework, half a
    # second of a new worker's CPU) loads when a URL under it is first resolved or reversed, not for
    # the health check (tests/web/test_startup.py).
    URLResolver(RoutePattern("api/v1/"), "openiom.api.urls", app_name="api", namespace="api"),
    path("", include("openiom.audit.urls")),
]

handler400 = "openiom.web.views.bad_request"
handler403 = "openiom.web.views.permission_denied"
handler404 = "openiom.web.views.page_not_found"
handler500 = "openiom.web.views.server_error"
