from django.urls import path

from rapport.touchpoints import views

app_name = "touchpoints"

urlpatterns = [
    path("capture/", views.capture, name="capture"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
