from django.urls import path

from rapport.relationships import views

app_name = "relationships"

urlpatterns = [
    path("people/<int:pk>/stage/", views.stage, name="stage"),
    path("people/<int:pk>/cadence/", views.cadence, name="cadence"),
    path("people/<int:pk>/snooze/", views.snooze, name="snooze"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", views.rule_active, name="rule_active"),
]
