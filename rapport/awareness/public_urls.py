"""Pages for the people who get alerts, reached by the secret token in their links; no account."""

from django.urls import path, re_path

from rapport.awareness import public_views as views

app_name = "alerts"
urlpatterns = [
    path("<str:token>/", views.preferences, name="preferences"),
    path("<str:token>/consent/", views.consent, name="consent"),
    path("<str:token>/frequency/", views.frequency, name="frequency"),
    path("<str:token>/pause/", views.pause, name="pause"),
    path("<str:token>/topics/add/", views.add_topic, name="add_topic"),
    path("<str:token>/topics/remove/", views.remove_topic, name="remove_topic"),
    path("<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    re_path(
        r"^(?P<token>[^/]+)/feedback/(?P<match_id>[0-9]+)/(?P<answer>useful|not_useful)/$",
        views.feedback,
        name="feedback",
    ),
]
