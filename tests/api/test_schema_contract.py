"""The schema is exact: generated without a warning, every answer the API can give is declared, and what the
serializers refuse (blank text, unknown fields) the schema refuses too."""

from django.core.management import call_command


def test_it_generates_the_schema_without_a_single_warning(tmp_path):
    # --fail-on-warn turns every warning (an enum under two names, a hash-named enum, a field it cannot type)
    # into an error: CI holds the schema to this.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
