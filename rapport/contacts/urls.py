from django.urls import path

from rapport.contacts import views

app_name = "contacts"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/run/", views.import_run, name="import_run"),
    path("import/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("export.vcf", views.export, name="export"),
    path("people/<int:pk>.vcf", views.person_card, name="person"),
]
