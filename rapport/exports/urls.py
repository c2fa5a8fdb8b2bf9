from django.urls import path

from rapport.exports import views

app_name = "exports"

urlpatterns = [
    path("<slug:name>.<slug:fmt>", views.download, name="download"),
]
