from django.urls import path

from rapport.awareness import views

app_name = "awareness"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/file/", views.import_file, name="import_file"),
    path("items/feed/", views.import_feed, name="import_feed"),
    path("items/new/", views.add_item, name="add_item"),
    path("match/", views.match_everyone, name="match_everyone"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("review/", views.review, name="review"),
    path("review/decide/", views.decide_many, name="decide_many"),
    path("matches/<int:pk>/decide/", views.decide, name="decide"),
    path("people/<int:pk>/", views.profile, name="profile"),
    path("people/<int:pk>/interests/", views.interest, name="interest"),
    path("people/<int:pk>/publications/file/", views.publications_file, name="publications_file"),
    path(
        "people/<int:pk>/publications/orcid/", views.publications_orcid, name="publications_orcid"
    ),
    path("people/<int:pk>/auto-send/", views.auto_send, name="auto_send"),
    path("people/<int:pk>/invite/", views.invite, name="invite"),
    path("people/<int:pk>/new-link/", views.new_link, name="new_link"),
]
