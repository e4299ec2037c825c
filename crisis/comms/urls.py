from django.urls import path

from . import views

app_name = "comms"
urlpatterns = [
    path("comms/freeze/", views.freeze_list, name="freeze"),
    path("comms/templates/", views.template_list, name="templates"),
    path("comms/templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("comms/templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
    path("incidents/<int:pk>/off-script/", views.off_script_new, name="off-script-new"),
    path("incidents/<int:pk>/statements/from-template/<int:template_pk>/", views.statement_from_template,
         name="statement-from-template"),
]
