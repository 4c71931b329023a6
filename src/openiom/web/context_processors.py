from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openiom.web.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.OPENIOM_SERVICE_NAME,
        "demo_mode": settings.OPENIOM_DEMO,
        "navigation": navigation_for(request),
    }
