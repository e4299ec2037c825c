from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crisis.health import metrics as _request_metrics  # noqa: F401 (connects the request-latency histogram)
from crisis.health import views as health

urlpatterns = [
    # For load balancers and Prometheus (docs/operations.md, "Watching it"): no language prefix, no sign-in.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The API is versioned by path and answers in one language-neutral shape, so it sits outside i18n_patterns.
    path("api/v1/", include("crisis.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("oncall/", include("crisis.oncall.urls")),  # links in messages must not depend on the reader's language
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oncall/", include("crisis.oncall.desk_urls")),
    path("approval-chains/", include("crisis.approvals.urls")),
    path("", include("crisis.commitments.urls")),
    path("listening/", include("crisis.listening.urls")),
    path("media/", include("crisis.media.urls")),
    path("", include("crisis.reports.urls")),
    path("", include("crisis.facts.urls")),
    path("", include("crisis.comms.urls")),
    path("", include("crisis.web.urls")),
    prefix_default_language=False,
)

handler404 = "crisis.api.not_found.api_or_page_not_found"
