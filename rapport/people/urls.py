from django.urls import path

from rapport.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("autocomplete/", views.person_autocomplete, name="person_autocomplete"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/archive/", views.person_archive, name="person_archive"),
    path("<int:pk>/groups/add/", views.person_add_to_group, name="person_add_to_group"),
    path("<int:pk>/share/", views.person_share, name="person_share"),
    path("<int:pk>/timeline/", views.person_timeline, name="person_timeline"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/archive/", views.group_archive, name="group_archive"),
    path("groups/<int:pk>/timeline/", views.group_timeline, name="group_timeline"),
    path("groups/<int:pk>/members/add/", views.membership_add, name="membership_add"),
]
