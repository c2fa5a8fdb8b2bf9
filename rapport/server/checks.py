"""Rapport's own deployment checks, run by `rapport check --deploy` beside Django's."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Links in e-mails, digests, calendar feeds and webhook payloads start at SITE_URL, not
    at the request, so an https site needs an https SITE_URL or every mailed link is http."""
    if settings.SECURE_SSL_REDIRECT and not settings.SITE_URL.startswith("https://"):
        return [
            Warning(
                f"RAPPORT_SITE_URL is {settings.SITE_URL!r} but the site is served over https: "
                "links in e-mails, digests and webhooks would be http.",
                hint="Set RAPPORT_SITE_URL to the https address people reach Rapport by.",
                id="rapport.W001",
            )
        ]
    return []
