from django.urls import include, path

urlpatterns = [
    path("", include("rapport.accounts.urls")),
    path("people/", include("rapport.people.urls")),
    path("touchpoints/", include("rapport.touchpoints.urls")),
    path("api/v1/", include("rapport.api.urls")),
]
