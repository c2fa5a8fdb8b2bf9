from django.urls import path

from rapport.requests import views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("stories/", views.story_list, name="stories"),
    path("people/<int:pk>/", views.person_requests, name="person_requests"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/status/", views.request_status, name="status"),
    path("<int:pk>/follow-up/", views.request_follow_up, name="follow_up"),
    path("<int:pk>/deliverables/", views.deliverable_add, name="deliverable_add"),
    path(
        "<int:pk>/deliverables/<int:deliverable>/file/",
        views.deliverable_file,
        name="deliverable_file",
    ),
    path("<int:pk>/outcome/", views.request_outcome, name="outcome"),
    path("<int:pk>/reassign/", views.request_reassign, name="reassign"),
    path("<int:pk>/touchpoints/", views.request_attach, name="attach"),
]
