from django.urls import path

from rapport.today import views

app_name = "today"

urlpatterns = [
    path("snooze/<int:pk>/", views.snooze, name="snooze"),
    path("digest/", views.digest, name="digest"),
    path("list/<slug:key>/", views.section, name="section"),
    path("counts/", views.counts, name="counts"),
]
