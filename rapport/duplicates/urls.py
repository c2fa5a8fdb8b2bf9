from django.urls import path

from rapport.duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("people/<int:pk>/", views.person_candidates, name="person"),
    path("scan/", views.scan_start, name="scan_start"),
    path("scans/<int:pk>/", views.scan_progress, name="scan"),
    path("pair/<int:a>/<int:b>/", views.pair, name="pair"),
    path("pair/<int:a>/<int:b>/merge/", views.merge, name="merge"),
    path("pair/<int:a>/<int:b>/not-duplicate/", views.not_duplicate, name="not_duplicate"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/undo/", views.undo_merge, name="undo_merge"),
    path("not-duplicates/<int:pk>/undo/", views.undo_not_duplicate, name="undo_not_duplicate"),
]
