from django.urls import path

from rapport.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("similar/", views.similar, name="similar"),
]
