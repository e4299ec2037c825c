"""The organization's sentiment levels and baseline band: anyone reads them, admins change them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crisis.oncall.views_setup import forbidden_page, organization_for_request
from crisis.web.access import desk_view
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from ..forms import ThresholdsForm
from ..selectors import thresholds_for
from ..services.thresholds import EDITABLE, thresholds_update


@desk_view
@require_http_methods(["GET", "POST"])
def thresholds_edit(request: HttpRequest) -> HttpResponse:
    organization, abilities = organization_for_request(request)
    current = thresholds_for(organization)
    if request.method == "GET":
        form = ThresholdsForm(initial={"version": current.version, **{n: getattr(current, n) for n in EDITABLE}})
        return desk_render(request, "crisis/listening/thresholds.html",
                           {"form": form, "abilities": abilities, "organization": organization})
    if not abilities.can_admin:
        return forbidden_page(request)
    form = ThresholdsForm(request.POST)

    def save():
        data = form.cleaned_data
        return thresholds_update(organization=organization, actor=request.user, version=data["version"],
                                 **{name: data.get(name) for name in EDITABLE})

    _saved, status = form_submit(form, save)
    if status is None:
        messages.success(request, _("Sentiment thresholds saved."))
        return redirect("listening:thresholds")
    return desk_render(request, "crisis/listening/thresholds.html",
                       {"form": form, "abilities": abilities, "organization": organization}, status=status)
