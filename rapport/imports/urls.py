from django.urls import path

from rapport.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/mapping/save/", views.save_mapping, name="save_mapping"),
    path("<int:pk>/mapping/use/", views.use_mapping, name="use_mapping"),
    path("<int:pk>/dry-run/", views.dry_run, name="dry_run"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/report.csv", views.report, name="report"),
    path("mappings/<int:pk>/delete/", views.delete_mapping, name="delete_mapping"),
]
