"""The points API for the tills and the web store (Django REST framework).

Every request carries a branch token (`Authorization: Bearer <key>`), made by a store
manager at /loyalty/api-tokens/. A customer is shown only by id, name, balance and tier.
Earn and redeem are safe to retry by their bill number; any POST may also carry an
`Idempotency-Key` header, and a retry with the same key gets the first answer back.
"""

from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer
from customers.services import customer_create
from loyalty import selectors, services
from loyalty.models import ApiToken, PointsEntry

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any text up to 100 characters; a retry with the same key gets the first answer back.",
)


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """Return a Django ValidationError as DRF's field errors."""
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"non_field_errors": list(error.messages)}


class BranchView(APIView):
    """A view acting for the branch of the request's token; service refusals answer 400 with field errors."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(field_errors(exc))
        return super().handle_exception(exc)

    @property
    def token(self) -> ApiToken:
        return self.request.auth

    def idempotent(self, answer: Any) -> Response:
        """Answer once per Idempotency-Key (when the request has one); a retry gets the stored answer."""
        key = (self.request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        if not key:
            status_code, body = answer()
            return Response(body, status=status_code)
        if len(key) > 100:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [_("Keep the key to 100 characters.")]})
        status_code, body, _first = services.api_request_once(
            token=self.token, key=key, path=self.request.path, answer=answer
        )
        return Response(body, status=status_code)


# Serializers


class CustomerSerializer(serializers.Serializer):
    """What the API shows of a customer: no other personal data."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    points_balance = serializers.IntegerField()
    redeemable_points = serializers.IntegerField()
    tier = serializers.CharField(allow_null=True)


def customer_body(customer: Customer) -> dict[str, Any]:
    standing = selectors.tier_standing(customer=customer)
    return CustomerSerializer(
        {
            "id": customer.pk,
            "full_name": customer.full_name,
            "points_balance": customer.points_balance,
            "redeemable_points": selectors.redeemable_points(customer=customer),
            "tier": standing.tier.name if standing.tier else None,
        }
    ).data


class EntrySerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id")
    branch = serializers.CharField(source="branch.code", allow_null=True, default=None)
    expires_on = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()

    class Meta:
        model = PointsEntry
        fields = ["id", "customer", "kind", "points", "balance_after", "bill_number", "branch", "created_at"]
        fields += ["expires_on", "value"]

    def get_expires_on(self, entry: PointsEntry) -> str | None:
        """The day the points this entry added expire (None: never, or it added none)."""
        lot = getattr(entry, "lot", None)
        return lot.expires_on.isoformat() if lot is not None and lot.expires_on else None

    def get_value(self, entry: PointsEntry) -> str | None:
        """The money a redemption was worth."""
        return entry.rule.get("value")


def entry_body(entry: PointsEntry) -> dict[str, Any]:
    return EntrySerializer(entry).data


def active_customer() -> serializers.PrimaryKeyRelatedField:
    """A customer, by id, who is active."""
    return serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.filter(is_active=True),
        error_messages={
            "does_not_exist": gettext_lazy("No active customer has the id {pk_value}."),
            "incorrect_type": gettext_lazy("Send the customer's id (a number)."),
        },
    )


AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class LookupSerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, max_length=30)
    membership_number = serializers.CharField(required=False, max_length=50)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("phone")) == bool(data.get("membership_number")):
            raise serializers.ValidationError(_("Give either phone or membership_number."))
        return data


class CustomerCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    phone_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    membership_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class QuoteSerializer(serializers.Serializer):
    customer = active_customer()
    amount = serializers.DecimalField(**AMOUNT)


class EarnSerializer(QuoteSerializer):
    bill_number = serializers.CharField(max_length=50)


class RedeemSerializer(serializers.Serializer):
    customer = active_customer()
    bill_number = serializers.CharField(max_length=50)
    points = serializers.IntegerField(min_value=1, max_value=100_000_000)
    bill_amount = serializers.DecimalField(**AMOUNT)


class ReverseSerializer(serializers.Serializer):
    bill_number = serializers.CharField(max_length=50)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


QUOTE_RESPONSE = inline_serializer(
    "Quote",
    {
        "points": serializers.IntegerField(help_text="What the bill would earn."),
        "redeemable_points": serializers.IntegerField(),
        "max_redeem_points": serializers.IntegerField(help_text="The most points that may pay for this bill."),
        "point_value": serializers.DecimalField(max_digits=10, decimal_places=4),
    },
)


# Views


class CustomerLookupView(BranchView):
    @extend_schema(parameters=[LookupSerializer], responses=CustomerSerializer, summary="Find a customer")
    def get(self, request: Request) -> Response:
        """Find a customer by phone number (any format) or membership number."""
        query = LookupSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        customers = Customer.objects.filter(is_active=True)
        if query.validated_data.get("phone"):
            try:
                phone = phonenumbers.parse(query.validated_data["phone"], settings.PHONENUMBER_DEFAULT_REGION)
            except phonenumbers.NumberParseException:
                raise exceptions.ValidationError({"phone": [_("This is not a phone number.")]}) from None
            found = list(customers.filter(phone_number=phonenumbers.format_number(phone, 0))[:2])
        else:
            found = list(customers.filter(membership_number__iexact=query.validated_data["membership_number"])[:1])
        if not found:
            raise exceptions.NotFound(_("No active customer matches."))
        if len(found) > 1:
            raise exceptions.ValidationError(
                {"phone": [_("Several customers have this phone; use the membership number.")]}
            )
        return Response(customer_body(found[0]))


class CustomerCreateView(BranchView):
    @extend_schema(
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Create a customer",
    )
    def post(self, request: Request) -> Response:
        """Create a customer with the basics (a membership number is given automatically when left out)."""
        data = CustomerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def answer() -> tuple[int, dict[str, Any]]:
            customer = customer_create(**data.validated_data)
            return status.HTTP_201_CREATED, customer_body(customer)

        return self.idempotent(answer)


class CustomerHistoryView(BranchView):
    @extend_schema(responses=EntrySerializer(many=True), summary="A customer's points history")
    def get(self, request: Request, pk: int) -> Response:
        """A customer's points entries, newest first (limit/offset pages)."""
        customer = Customer.objects.filter(pk=pk).first()
        if customer is None:
            raise exceptions.NotFound(_("No customer has this id."))
        entries = selectors.points_history(customer=customer).select_related("lot")
        pages = LimitOffsetPagination()
        page = pages.paginate_queryset(entries, request, view=self)
        return pages.get_paginated_response([entry_body(entry) for entry in page or []])


class QuoteView(BranchView):
    @extend_schema(request=QuoteSerializer, responses=QUOTE_RESPONSE, summary="Quote points for a bill")
    def post(self, request: Request) -> Response:
        """What a bill would earn, and how many points may pay for it (nothing is written)."""
        data = QuoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer, amount = data.validated_data["customer"], data.validated_data["amount"]
        program = selectors.reward_settings()
        return Response(
            {
                "points": services.points_for_bill(customer=customer, amount=amount),
                "redeemable_points": selectors.redeemable_points(customer=customer),
                "max_redeem_points": services.max_points_for_bill(bill_amount=amount, settings=program),
                "point_value": str(program.point_value),
            }
        )


def _booked(entry: PointsEntry) -> tuple[int, dict[str, Any]]:
    """201 for a new entry, 200 for a retry that got the first entry back."""
    return (status.HTTP_200_OK if getattr(entry, "retried", False) else status.HTTP_201_CREATED), entry_body(entry)


class EarnView(BranchView):
    @extend_schema(
        request=EarnSerializer,
        responses={201: EntrySerializer, 200: EntrySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Earn points on a bill",
    )
    def post(self, request: Request) -> Response:
        """Credit what the bill earns; the same bill number sent again returns the first entry (200)."""
        data = EarnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.idempotent(
            lambda: _booked(services.earn_for_bill(branch=self.token.branch, user=None, **data.validated_data))
        )


class RedeemView(BranchView):
    @extend_schema(
        request=RedeemSerializer,
        responses={201: EntrySerializer, 200: EntrySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Redeem points on a bill",
    )
    def post(self, request: Request) -> Response:
        """Spend points on the bill; the same bill number sent again returns the first entry (200)."""
        data = RedeemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.idempotent(
            lambda: _booked(services.redeem_for_bill(branch=self.token.branch, user=None, **data.validated_data))
        )


class ReverseView(BranchView):
    @extend_schema(
        request=ReverseSerializer,
        responses=EntrySerializer(many=True),
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Reverse a returned bill",
    )
    def post(self, request: Request) -> Response:
        """Take back what the bill earned and give back what it spent; sent again, the same reversals."""
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bill_number = data.validated_data["bill_number"].strip()
        booked = selectors.bill_entries(bill_number=bill_number)
        if not booked.filter(branch=self.token.branch).exists() and booked.exists():
            raise exceptions.PermissionDenied(
                _("This bill was booked at another branch; only its tills may reverse it.")
            )

        def answer() -> tuple[int, list[dict[str, Any]]]:
            entries = services.reverse_bill(
                bill_number=bill_number,
                reason=data.validated_data.get("reason", ""),
                branch=self.token.branch,
                user=None,
            )
            return status.HTTP_200_OK, [entry_body(entry) for entry in entries]

        return self.idempotent(answer)


class BranchTokenScheme(OpenApiAuthenticationExtension):
    """The schema's description of the branch token."""

    target_class = "loyalty.api_auth.BranchTokenAuthentication"
    name = "branchToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
