"""Which section of the main navigation a page belongs to.

Every named page declares its section here, by URL namespace with per-name exceptions, and
`base.html` marks exactly that one link with aria-current="page". A page that belongs to no
section (sign-in, a touchpoint, public pages) marks none. tests/test_nav.py checks that every
route resolves to a known section or to none on purpose, so a new page cannot be forgotten.
"""

from django.http import HttpRequest

# The sections of the main navigation, in the order base.html shows them.
SECTIONS = (
    "today",
    "people",
    "requests",
    "search",
    "alerts",
    "groups",
    "reports",
    "imports",
    "calendar",
    "webhooks",
    "privacy",
    "tokens",
    "account",
)

# The section of each URL namespace ("" = the un-namespaced pages); None: no section.
BY_NAMESPACE: dict[str, str | None] = {
    "": None,
    "accounts": "account",  # the account page; its tokens page is its own link
    "people": "people",
    "touchpoints": "people",
    "relationships": "people",
    "duplicates": "people",
    "requests": "requests",
    "search": "search",
    "awareness": "alerts",
    "alerts": None,  # the public preference pages of a person, outside the app
    "reports": "reports",
    "imports": "imports",
    "contacts": "imports",
    "calendars": "calendar",
    "today": "today",
    "webhooks": "webhooks",
    "privacy": "privacy",
    "exports": None,
    "api-v1": None,
}

# Exceptions to the namespace, by "namespace:name".
BY_NAME: dict[str, str | None] = {
    "home": "today",
    "accounts:tokens": "tokens",
    "accounts:token_revoke": "tokens",
    "people:group_list": "groups",
    "people:group_create": "groups",
    "people:group_detail": "groups",
    "people:group_edit": "groups",
    "people:group_archive": "groups",
    "people:group_timeline": "groups",
    "people:membership_add": "groups",
    "reports:person_brief": "people",
    "reports:group_brief": "groups",
    "contacts:export": "people",
    "contacts:person": "people",
}


def section_of(namespace: str, url_name: str | None) -> str | None:
    """The section of the page `namespace:url_name` (None for an undeclared namespace)."""
    key = f"{namespace}:{url_name}" if namespace else (url_name or "")
    if key in BY_NAME:
        return BY_NAME[key]
    return BY_NAMESPACE.get(namespace.split(":")[0])


def nav_section(request: HttpRequest) -> dict[str, str | None]:
    """Context processor: `nav_section`, the one section the current page belongs to."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": None}
    return {"nav_section": section_of(match.namespace, match.url_name)}
