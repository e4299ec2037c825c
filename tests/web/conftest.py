import pytest


@pytest.fixture
def incident(open_incident):
    return open_incident()
