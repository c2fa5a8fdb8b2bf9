from django.urls import path

from rapport.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("coverage/", views.coverage, name="coverage"),
    path("relationships/", views.relationships, name="relationships"),
    path("stories/", views.stories, name="stories"),
    path("brief/person/<int:pk>/", views.person_brief, name="person_brief"),
    path("brief/group/<int:pk>/", views.group_brief, name="group_brief"),
]
