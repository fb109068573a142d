"""Who may see which report, and the unlocked key that lets them read it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from nacl.public import PrivateKey

from meldpunt.intake.models import Report
from meldpunt.vault.models import Role, StaffUser
from meldpunt.vault.sessionsecrets import session_secret_get
from meldpunt.vault.views import PRIVATE_KEY

STAFF_ROLES = {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ANALYST}


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, a staff role, and an unlocked key in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or not user.is_verified()
            or session_secret_get(request, PRIVATE_KEY) is None
        ):
            return redirect_to_login(request.get_full_path())
        if user.role not in STAFF_ROLES:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def private_key(request: HttpRequest) -> PrivateKey:
    return PrivateKey(session_secret_get(request, PRIVATE_KEY))


def visible_reports(user: StaffUser) -> QuerySet[Report]:
    """Reports of the lines the user is a member of; nothing else exists for them."""
    return Report.objects.filter(line__memberships__user=user, destroyed_at__isnull=True)


def report_for(user: StaffUser, pk: int) -> Report:
    """The report, or 404 alike for 'does not exist' and 'not yours'."""
    report = visible_reports(user).select_related("line", "category").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report
