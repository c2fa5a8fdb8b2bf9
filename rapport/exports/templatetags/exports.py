"""`{% export_links "people" %}`: the download links a list page shows, carrying the page's
query string (its filters and sort) plus any fixed parameters (`group=group.pk`)."""

from contextlib import suppress
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("exports/links.html", takes_context=True)
def export_links(context: dict[str, Any], name: str, vcard: bool = False, **fixed: Any) -> dict:
    query = context["request"].GET.copy()
    query.pop("page", None)
    for key, value in fixed.items():
        query[key] = str(value)
    suffix = f"?{query.urlencode()}" if query else ""
    links = {
        "csv": reverse("exports:download", args=[name, "csv"]) + suffix,
        "xlsx": reverse("exports:download", args=[name, "xlsx"]) + suffix,
        "vcard": "",
    }
    if vcard:
        # The vCard export lives in the contacts app; without it the link is left out.
        with suppress(NoReverseMatch):
            links["vcard"] = reverse("contacts:export") + suffix
    return {"links": links, "name": name}
