from django.urls import path

from rapport.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/test/", views.endpoint_test, name="test"),
    path("<int:pk>/deliveries/<int:delivery>/", views.delivery_detail, name="delivery"),
    path(
        "<int:pk>/deliveries/<int:delivery>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
