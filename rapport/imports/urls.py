from django.urls import path

from rapport.imports import views
from rapport.uploads import views as uploads

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/mapping/save/", views.save_mapping, name="save_mapping"),
    path("<int:pk>/mapping/use/", views.use_mapping, name="use_mapping"),
    path("<int:pk>/dry-run/", uploads.check, {"kind": "imports"}, name="dry_run"),
    path("<int:pk>/run/", uploads.run, {"kind": "imports"}, name="run"),
    path("<int:pk>/resume/", uploads.resume, {"kind": "imports"}, name="resume"),
    path("<int:pk>/report.csv", views.report, name="report"),
    path("mappings/<int:pk>/delete/", views.delete_mapping, name="delete_mapping"),
]
