from django.urls import include, path

urlpatterns = [
    path("", include("rapport.accounts.urls")),
    path("people/", include("rapport.people.urls")),
    path("touchpoints/", include("rapport.touchpoints.urls")),
    path("requests/", include("rapport.requests.urls")),
    path("relationships/", include("rapport.relationships.urls")),
    path("today/", include("rapport.today.urls")),
    path("reports/", include("rapport.reports.urls")),
    path("awareness/", include("rapport.awareness.urls")),
    path("alerts/", include("rapport.awareness.public_urls")),
    path("search/", include("rapport.search.urls")),
    path("imports/", include("rapport.imports.urls")),
    path("contacts/", include("rapport.contacts.urls")),
    path("duplicates/", include("rapport.duplicates.urls")),
    path("calendar/", include("rapport.calendars.urls")),
    path("exports/", include("rapport.exports.urls")),
    path("webhooks/", include("rapport.webhooks.urls")),
    path("privacy/", include("rapport.privacy.urls")),
    path("api/v1/", include("rapport.api.urls")),
]
