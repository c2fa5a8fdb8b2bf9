"""Reads of webhooks: administrators only, everyone else is refused."""

from django.db.models import Count, Max, Q, QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_admin
from rapport.webhooks.models import Delivery, Endpoint


def endpoints_for(user: User) -> QuerySet[Endpoint]:
    """Every endpoint with its pending and failed counts and its latest delivery time."""
    require_admin(user, to="see webhooks")
    return Endpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        last_delivery_at=Max("deliveries__created_at"),
    ).order_by("url", "pk")


def access_endpoint(user: User, pk: int | str, *, for_write: bool = False) -> Endpoint:
    """A webhook endpoint: administrators only, to read and to change."""
    require_admin(user, to="manage webhooks" if for_write else "see webhooks")
    return scoped_row(
        Endpoint.objects.all(),
        pk,
        for_write=for_write,
        missing=f"There is no webhook endpoint {pk}.",
    )


def deliveries_for(user: User, endpoint: Endpoint) -> QuerySet[Delivery]:
    """An endpoint's deliveries, newest first."""
    require_admin(user, to="see webhooks")
    return Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")


def access_delivery(
    user: User, endpoint: Endpoint, pk: int | str, *, for_write: bool = False
) -> Delivery:
    """One of an endpoint's deliveries: administrators only."""
    require_admin(user, to="manage webhooks" if for_write else "see webhooks")
    return scoped_row(
        deliveries_for(user, endpoint),
        pk,
        for_write=for_write,
        missing=f"Endpoint {endpoint.pk} has no delivery {pk}.",
        shown=lambda qs: qs.select_related("endpoint"),
    )
