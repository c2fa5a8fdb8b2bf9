"""Reads of webhooks: administrators only, everyone else is refused."""

from django.db.models import Count, Max, Q, QuerySet

from rapport.accounts.models import User
from rapport.errors import Forbidden, NotFound
from rapport.webhooks.models import Delivery, Endpoint

ADMINS_ONLY = "Only an administrator can see webhooks."


def endpoints_for(user: User) -> QuerySet[Endpoint]:
    """Every endpoint with its pending and failed counts and its latest delivery time."""
    if not user.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return Endpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        last_delivery_at=Max("deliveries__created_at"),
    ).order_by("url", "pk")


def get_endpoint_for(user: User, pk: int | str) -> Endpoint:
    if not user.is_admin:
        raise Forbidden(ADMINS_ONLY)
    try:
        return Endpoint.objects.get(pk=pk)
    except (Endpoint.DoesNotExist, ValueError):
        raise NotFound(f"There is no webhook endpoint {pk}.") from None


def deliveries_for(user: User, endpoint: Endpoint) -> QuerySet[Delivery]:
    """An endpoint's deliveries, newest first."""
    if not user.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")


def get_delivery_for(user: User, endpoint: Endpoint, pk: int | str) -> Delivery:
    try:
        return deliveries_for(user, endpoint).select_related("endpoint").get(pk=pk)
    except (Delivery.DoesNotExist, ValueError):
        raise NotFound(f"Endpoint {endpoint.pk} has no delivery {pk}.") from None
