"""Webhook pages, for administrators: endpoints, their secret, and the delivery log."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view, paginate
from rapport.accounts.roles import require_admin
from rapport.errors import Invalid
from rapport.webhooks import services
from rapport.webhooks.forms import EndpointForm
from rapport.webhooks.models import Delivery
from rapport.webhooks.queries import (
    access_delivery,
    access_endpoint,
    deliveries_for,
    endpoints_for,
)

DELIVERIES_PER_PAGE = 25


@page_view
def endpoint_list(request: AuthedRequest) -> HttpResponse:
    endpoints = list(endpoints_for(request.user))
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@page_view
def endpoint_create(request: AuthedRequest) -> HttpResponse:
    require_admin(request.user, to="manage webhooks")
    form = EndpointForm(request.POST or None)
    if form.is_valid():
        try:
            endpoint = services.create_endpoint(by=request.user, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(
                request,
                f"Added {endpoint.url}. Give its signing secret (below) to the receiver.",
            )
            return redirect("webhooks:detail", pk=endpoint.pk)
    status = 422 if form.is_bound else 200
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=status)


@page_view
def endpoint_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    form = EndpointForm(request.POST or None, initial=EndpointForm.initial_for(endpoint))
    if form.is_valid():
        try:
            services.update_endpoint(by=request.user, endpoint=endpoint, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved {form.cleaned_data['url'].strip()}.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    context = {"form": form, "endpoint": endpoint}
    status = 422 if form.is_bound else 200
    return render(request, "webhooks/endpoint_form.html", context, status=status)


@page_view
def endpoint_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The endpoint, its secret and its log; HTMX polls the log while deliveries are pending."""
    endpoint = access_endpoint(request.user, pk)
    page = paginate(deliveries_for(request.user, endpoint), request, DELIVERIES_PER_PAGE)
    busy = any(d.status == Delivery.Status.PENDING for d in page.items)
    context = {"endpoint": endpoint, "page": page, "busy": busy}
    partial = request.htmx and not request.htmx.history_restore_request
    template = "webhooks/endpoint_detail.html#log" if partial else "webhooks/endpoint_detail.html"
    return render(request, template, context)


@page_view
def delivery_detail(request: AuthedRequest, pk: int, delivery: int) -> HttpResponse:
    """One delivery: the exact body sent, and what the receiver answered last."""
    endpoint = access_endpoint(request.user, pk)
    found = access_delivery(request.user, endpoint, delivery)
    return render(request, "webhooks/delivery.html", {"endpoint": endpoint, "delivery": found})


@require_POST
@page_view
def endpoint_rotate(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = services.rotate_secret(by=request.user, endpoint=access_endpoint(request.user, pk))
    messages.success(
        request, "New signing secret made; the old one no longer signs. Give the receiver this one."
    )
    return redirect("webhooks:detail", pk=endpoint.pk)


@require_POST
@page_view
def endpoint_test(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    services.send_test_event(by=request.user, endpoint=endpoint)
    messages.success(request, "Test event queued; its result appears in the log below.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@require_POST
@page_view
def delivery_redeliver(request: AuthedRequest, pk: int, delivery: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    again = services.redeliver(
        by=request.user, delivery=access_delivery(request.user, endpoint, delivery)
    )
    messages.success(request, f"Queued {again.event} again; see the newest line of the log.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@page_view
def endpoint_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then remove (POST)."""
    endpoint = access_endpoint(request.user, pk)
    if request.method == "POST":
        services.delete_endpoint(by=request.user, endpoint=endpoint)
        messages.success(request, f"Removed {endpoint.url}; nothing more is sent to it.")
        return redirect("webhooks:list")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})
