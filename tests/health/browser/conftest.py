# The desk's browser fixtures (Chromium, a signed-in page that fails the test on any CSP violation, the clock file).
from tests.web.browser.conftest import chromium, clock_file, desk_people, sign_in  # noqa: F401
