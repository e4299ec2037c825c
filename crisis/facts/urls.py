"""The fact sheet's pages on the desk, in the reader's language (inside i18n_patterns)."""

from django.urls import path

from .views import sheet, statements

app_name = "facts"

urlpatterns = [
    path("incidents/<int:pk>/facts/new/", sheet.fact_new, name="fact-new"),
    path("facts/<int:pk>/", sheet.fact_detail, name="fact-detail"),
    path("facts/<int:pk>/edit/", sheet.fact_edit_view, name="fact-edit"),
    path("facts/<int:pk>/retire/", sheet.fact_retire_view, name="fact-retire"),
    path("statements/<int:pk>/consistency/", statements.statement_consistency, name="statement-consistency"),
    path("statements/<int:pk>/compare/", statements.statement_compare, name="statement-compare"),
]
