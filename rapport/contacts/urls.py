from django.urls import path

from rapport.contacts import views
from rapport.uploads import views as uploads

app_name = "contacts"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/run/", uploads.run, {"kind": "vcards"}, name="import_run"),
    path("import/<int:pk>/resume/", uploads.resume, {"kind": "vcards"}, name="import_resume"),
    path("export.vcf", views.export, name="export"),
    path("people/<int:pk>.vcf", views.person_card, name="person"),
]
