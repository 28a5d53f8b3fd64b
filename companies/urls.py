from django.urls import path

from companies.views import applicant

app_name = "companies"
urlpatterns = [
    path("solicitudes/", applicant.dashboard, name="dashboard"),
    path("solicitudes/nueva/", applicant.new_application, name="new"),
    path("solicitudes/<uuid:public_id>/", applicant.resume, name="resume"),
    path("solicitudes/<uuid:public_id>/nombre/verificar/", applicant.name_check, name="name_check"),
    path("solicitudes/<uuid:public_id>/paso/<slug:slug>/", applicant.step, name="step"),
]
