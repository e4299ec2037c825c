"""Server-rendered on-call pages: the one-click acknowledge link, the "sent messages" outbox.

Each person's own contact methods and quiet hours are in views_contacts.py, calendar feeds in views_calendar.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crisis.models import Membership, Role, role_at_least
from crisis.selectors import organizations_for_user
from crisis.services.access import membership_role
from crisis.services.errors import DomainError, PermissionDenied
from crisis.web.access import desk_view
from crisis.web.errors import HTTP_STATUS
from crisis.web.rendering import desk_render

from .links import AckLinkInvalid, ack_token_read
from .models import Delivery, Page, ReceiverBreaker
from .selectors import deliveries_for_user
from .services.pages import page_acknowledge


@require_http_methods(["GET", "POST"])
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the page and one button; POST acknowledges. Mail and chat scanners follow GET links,
    so a GET must never acknowledge on a person's behalf.

    The link carries no language (it sits outside the language prefix, where Django would answer in
    the default one), so the page speaks whatever the phone that opened it asks for."""
    with translation.override(translation.get_language_from_request(request, check_path=False)):
        return _ack_link(request, token)


def _ack_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        page_id, user_id = ack_token_read(token)
    except AckLinkInvalid as exc:
        return render(request, "oncall/ack.html", {"error": exc.message}, status=400)
    page = get_object_or_404(Page.objects.select_related("incident", "organization"), pk=page_id)
    # A deactivated account acts nowhere else; its links in old messages must not act for it either.
    user = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    if membership_role(user=user, organization=page.organization) is None:
        raise Http404  # they left the organization since the message went out: the page is no longer theirs
    context = {"page": page, "person": user, "token": token}
    if request.method == "POST":
        try:
            page_acknowledge(page=page, actor=user, via="link")
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "oncall/ack.html", context, status=HTTP_STATUS.get(exc.code, 409))
        context["done"] = True
    return render(request, "oncall/ack.html", context)


def _acknowledgeable_page_ids(user, deliveries: list) -> set[int]:
    """The pages listed whose Acknowledge button would work for ``user`` (the rule is the service's:
    the people a page was sent to, and responders and up), in two queries whatever their number."""
    pages = {d.page_id: d.page for d in deliveries}
    roles = dict(Membership.objects.filter(user=user).values_list("organization_id", "role"))
    mine = set(Delivery.objects.filter(user=user, page_id__in=pages).values_list("page_id", flat=True))
    return {pk for pk, page in pages.items()
            if pk in mine or page.target_user_id == user.pk
            or role_at_least(roles.get(page.organization_id, Role.VIEWER), Role.RESPONDER)}


@login_required
def sent_messages(request: HttpRequest) -> HttpResponse:
    """The outbox, and the circuit breaker of every receiver it lists (one query more, whatever their number)."""
    deliveries = list(deliveries_for_user(user=request.user))
    contact_ids = {d.contact_id for d in deliveries if d.contact_id is not None}
    breakers = {b.contact_id: b for b in ReceiverBreaker.objects.filter(contact_id__in=contact_ids)
                .select_related("contact", "contact__user")}
    acknowledgeable = _acknowledgeable_page_ids(request.user, deliveries)
    for delivery in deliveries:
        delivery.breaker = breakers.get(delivery.contact_id)
        delivery.can_acknowledge = delivery.page_id in acknowledgeable
    troubled_first = sorted(breakers.values(), key=lambda b: (not b.is_troubled, -b.updated_at.timestamp()))
    return desk_render(request, "oncall/sent_messages.html", {
        "deliveries": deliveries, "breakers": troubled_first,
        "breaker_failures": settings.GOLDEN_HOURS_BREAKER_FAILURES,
    })


@desk_view
@require_POST
def page_acknowledge_view(request: HttpRequest, page_id: int) -> HttpResponse:
    """Another organization's page is a 404 (its existence is not ours to confirm); a role that may not
    acknowledge it is a 403 page; a page someone acknowledged first is a message on the way back."""
    page = get_object_or_404(Page.objects.filter(organization__in=organizations_for_user(user=request.user)),
                             pk=page_id)
    try:
        page_acknowledge(page=page, actor=request.user, via="web")
        messages.success(request, _("Page acknowledged."))
    except PermissionDenied:
        return desk_render(request, "crisis/forbidden.html", {"incident": page.incident}, status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("oncall_desk:sent")
