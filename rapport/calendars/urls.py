from django.urls import path

from rapport.calendars import views
from rapport.uploads import views as uploads

app_name = "calendars"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("feed/new/", views.feed_create, name="feed_create"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/run/", uploads.run, {"kind": "ics"}, name="import_run"),
    path("import/<int:pk>/resume/", uploads.resume, {"kind": "ics"}, name="import_resume"),
    path("import/<int:pk>/people/", views.import_people, name="import_people"),
]
