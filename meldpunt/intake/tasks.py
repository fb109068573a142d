"""Background work of the intake."""

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from meldpunt.lines.models import Line


@task()
def announce_new_report(line_id: int) -> int:
    """Tell the line's staff that something is waiting, and nothing more.

    The mail names the line only: no category, no content, no reference, so a
    mailbox or mail server that leaks gives nothing away. Returns mails sent.
    """
    line = Line.objects.filter(pk=line_id).first()
    if line is None:
        return 0
    addresses = sorted(
        {
            m.user.email
            for m in line.memberships.select_related("user")
            if m.user.email and m.user.is_active
        }
    )
    if not addresses:
        return 0
    with translation.override("nl"):
        subject = _("Something new is waiting in %(line)s") % {"line": line.name}
        body = _("Log in to the reporting point to read it.")
    return send_mail(subject, body, None, addresses)
