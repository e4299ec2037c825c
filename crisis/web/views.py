from django.shortcuts import render

from crisis.models import OPEN_STATUSES
from crisis.selectors import incidents_for_user


def home(request):
    incidents = incidents_for_user(user=request.user).filter(status__in=OPEN_STATUSES).order_by(
        "severity", "first_public_signal_at"
    ) if request.user.is_authenticated else []
    return render(request, "crisis/home.html", {"incidents": incidents})
