"""The approval chains page of the desk, in the reader's language (inside i18n_patterns)."""

from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.chain_list, name="chains"),
    path("<slug:kind>/", views.chain_edit, name="chain-edit"),
]
