from django.urls import path

from rapport.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("retention/preview/", views.preview, name="preview"),
    path("retention/run/", views.run_now, name="run"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.subject_access, name="subject_access"),
    path("people/<int:pk>/access.json", views.subject_access_json, name="subject_access_json"),
    path("people/<int:pk>/erase/", views.erase, name="erase"),
    path("erasures/", views.erasures, name="erasures"),
    path("audit/", views.audit, name="audit"),
]
