"""The API's views: thin, as the pages' are. Each declares its action with @requires, checked by
CentralPermission against the same permissions.yaml; each call is audited under the client's name."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from openiom.access.policy import public, requires
from openiom.accounts.types import signed_in
from openiom.api import selectors, services
from openiom.api.pagination import Cursor, NewestFirst
from openiom.api.problems import problem
from openiom.api.schema import Problem
from openiom.api.serializers import (
    PersonListItem,
    PersonSummary,
    ReferenceDataSet,
    Referral,
    ReferralUpdate,
    SearchQuery,
)
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record

MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField)


class ApiView(APIView):
    """Authenticates and checks in DRF (the permission middleware defers to it, see access.middleware);
    a call its view did not audit itself (a refusal, a bad request) is audited here."""

    openiom_api = True

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if signed_in(request.user) and not getattr(request._request, "openiom_audited", False):
            audit_record(
                user=request.user,
                action=AuditAction.API_CALL,
                detail={
                    "via": "api",
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                },
            )
        return response


def audited(request: Request) -> None:
    request._request.openiom_audited = True


@requires("person.search")
class PeopleSearch(ApiView):
    """People the client may see for person.search, in pages of up to 50; identities only where the
    client's role and agency may see them."""

    pagination_class = Cursor

    @extend_schema(
        operation_id="people_search",
        parameters=[SearchQuery],
        responses={200: PersonListItem(many=True)},
        summary="Find people the client may see by PNC ID, CRN, local police ID or name",
    )
    def get(self, request: Request) -> Response:
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        found = paginator.paginate_queryset(
            selectors.people_found(user=request.user, query=query.validated_data["q"]), request, view=self
        )
        page = [selectors.person_item(user=request.user, person=person) for person in found or []]
        audit_record(
            user=request.user,
            action=AuditAction.PERSON_SEARCH,
            detail={"via": "api", "query": query.validated_data["q"], "results": len(page)},
        )
        audited(request)
        return paginator.get_paginated_response(PersonListItem(page, many=True).data)


@requires("person.view")
class PersonDetail(ApiView):
    """One person's summary, as the client may see them: 404 for anyone out of its scope."""

    @extend_schema(
        operation_id="person_summary",
        parameters=[
            OpenApiParameter(
                "person_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH
            )
        ],
        responses={200: PersonSummary},
    )
    def get(self, request: Request, person_id: str) -> Response:
        # The route takes any text so a malformed id is a problem document naming it, not an HTML 404.
        if not person_id.isdigit() or not 1 <= int(person_id) <= MAX_ID:
            raise ValidationError({"person_id": [_("A person's id: a whole number from 1.")]})
        person = selectors.visible_person(user=request.user, person_id=int(person_id))
        if person is None:
            return problem(404, _("No such person, or not one you may see."))
        summary, groups = selectors.person_summary(user=request.user, person=person)
        audit_record(
            user=request.user,
            action=AuditAction.PERSON_VIEW,
            object_type="person",
            object_id=person.pk,
            fields=groups,
            detail={"via": "api"},
        )
        audited(request)
        return Response(PersonSummary(summary).data)


@requires("reference.view")
class ReferenceDataSets(ApiView):
    """The reference data versions loaded (offence list, categories, unit costs), newest first."""

    pagination_class = NewestFirst

    @extend_schema(operation_id="reference_datasets", responses={200: ReferenceDataSet(many=True)})
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.datasets(), request, view=self)
        return paginator.get_paginated_response(ReferenceDataSet(page, many=True).data)


@public
class Token(TokenView):
    """OAuth2 client credentials: POST grant_type=client_credentials with the client's id and secret."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            services.token_issued(access_token=json.loads(response.content)["access_token"])
        return response


@public
class Schema(SpectacularJSONAPIView):
    openiom_api = True
    # Public, but still authenticated when a session or token comes with it: the signed-in user stays
    # on the request, so the response is no-store like every other one to a signed-in user.
    permission_classes = ()


@public
class Docs(SpectacularSwaggerSplitView):
    openiom_api = True
    # Public, but still authenticated when a session or token comes with it: the signed-in user stays
    # on the request, so the response is no-store like every other one to a signed-in user.
    permission_classes = ()
    url_name = "api:schema"


def _id(value: str, field: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise ValidationError({field: [_("An id: a whole number from 1.")]})
    return int(value)


def _etag(version: int) -> str:
    return f'"{version}"'


POST_PROBLEMS = {
    code: OpenApiResponse(response=Problem, description=text)
    for code, text in (
        (412, "If-Match does not name the referral's current version: read it again"),
        (415, "The body is not JSON"),
        (422, "The Idempotency-Key was used before for a different request"),
        (428, "If-Match is missing"),
    )
}


@requires("referral.update")
class Referrals(ApiView):
    """Referrals made to the client's agency, for people a live grant lets it see, oldest first."""

    pagination_class = Cursor

    @extend_schema(operation_id="referrals_list", responses={200: Referral(many=True)})
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.referrals(user=request.user), request, view=self)
        items = [selectors.referral_body(user=request.user, referral=r) for r in page or []]
        audit_record(
            user=request.user,
            action=AuditAction.REFERRAL_LIST,
            detail={"via": "api", "referrals": [item["id"] for item in items]},
        )
        audited(request)
        return paginator.get_paginated_response(Referral(items, many=True).data)


REFERRAL_ID = OpenApiParameter(
    "referral_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH
)


@requires("referral.update")
class ReferralDetail(ApiView):
    """One referral, with its version as the ETag."""

    @extend_schema(operation_id="referral_get", parameters=[REFERRAL_ID], responses={200: Referral})
    def get(self, request: Request, referral_id: str) -> Response:
        referral = selectors.referral_get(user=request.user, referral_id=_id(referral_id, "referral_id"))
        if referral is None:
            return problem(404, _("No such referral, or not one made to your agency."))
        body = selectors.referral_body(user=request.user, referral=referral)
        audit_record(
            user=request.user,
            action=AuditAction.REFERRAL_VIEW,
            object_type="person",
            object_id=referral.case.person_id,
            fields=["identity"],
            detail={"via": "api", "referral": referral.pk},
        )
        audited(request)
        return Response(Referral(body).data, headers={"ETag": _etag(referral.version)})


@requires("referral.update")
class ReferralStatusChange(ApiView):
    """Accept, start or close the referral (with its outcome). If-Match must name the version read:
    a stale one is refused with 412, never overwriting. A retry with the same Idempotency-Key gets
    the first answer again."""

    @extend_schema(
        operation_id="referral_status",
        parameters=[
            REFERRAL_ID,
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "Idempotency-Key", {"type": "string", "maxLength": 200}, OpenApiParameter.HEADER
            ),
        ],
        request=ReferralUpdate,
        responses={200: Referral, **POST_PROBLEMS},
    )
    def post(self, request: Request, referral_id: str) -> Response:
        from openiom.cases.services import CaseError, Conflict

        referral = selectors.referral_get(user=request.user, referral_id=_id(referral_id, "referral_id"))
        if referral is None:
            return problem(404, _("No such referral, or not one made to your agency."))
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > 200:
            raise ValidationError({"Idempotency-Key": [_("At most 200 characters.")]})
        fingerprint = services.request_fingerprint(method="POST", path=request.path, body=request.body)
        if key:
            earlier = selectors.idempotent_answer(user=request.user, key=key)
            if earlier is not None:
                if earlier.fingerprint != fingerprint:
                    return problem(
                        422,
                        _("This Idempotency-Key was used for a different request."),
                        errors=[
                            {"field": "Idempotency-Key", "detail": _("Use a new key for a new request.")}
                        ],
                    )
                return Response(
                    earlier.body,
                    status=earlier.status,
                    headers={"ETag": earlier.etag, "Idempotency-Replayed": "true"},
                )
        match = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        if not match:
            return problem(
                428,
                _("Send If-Match with the referral's ETag."),
                errors=[{"field": "If-Match", "detail": _("Required.")}],
            )
        if not match.isdigit() or int(match) != referral.version:
            return problem(
                412,
                _("The referral has changed since you read it: read it again."),
                errors=[{"field": "If-Match", "detail": _("Not the current version.")}],
            )
        change = ReferralUpdate(data=request.data)
        change.is_valid(raise_exception=True)
        try:
            updated = services.referral_status_change(
                user=request.user,
                referral=referral,
                change=change.validated_data,
                answer=lambda changed: (
                    Referral(selectors.referral_body(user=request.user, referral=changed)).data
                ),
                idempotency=(key, fingerprint) if key else None,
                etag=_etag,
            )
        except CaseError as exc:
            raise ValidationError({field: [text] for field, text in exc.errors.items()}) from exc
        except Conflict:
            return problem(
                412,
                _("The referral has changed since you read it: read it again."),
                errors=[{"field": "If-Match", "detail": _("Not the current version.")}],
            )
        body = Referral(selectors.referral_body(user=request.user, referral=updated)).data
        audited(request)
        return Response(body, headers={"ETag": _etag(updated.version)})
