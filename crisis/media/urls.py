from django.urls import path

from .views import inquiries, stakeholders

app_name = "crisis_media"
urlpatterns = [
    path("stakeholders/", stakeholders.stakeholders, name="stakeholders"),
    path("stakeholders/new/", stakeholders.stakeholder_new, name="stakeholder-new"),
    path("stakeholders/upload/", stakeholders.stakeholder_upload, name="stakeholder-upload"),
    path("stakeholders/<int:pk>/", stakeholders.stakeholder_edit, name="stakeholder-edit"),
    path("incidents/<int:pk>/inquiries/new/", inquiries.inquiry_new, name="inquiry-new"),
    path("incidents/<int:pk>/brief/", inquiries.brief, name="brief"),
    path("inquiries/<int:pk>/", inquiries.inquiry_detail, name="inquiry-detail"),
    path("inquiries/<int:pk>/<str:action>/", inquiries.inquiry_detail, name="inquiry-action"),
]
