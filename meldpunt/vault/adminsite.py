"""The Django admin, behind the one staff sign-in, with every write audited.

Django's stock admin has a sign-in form of its own (a password alone, no lock-out,
no audit), a password-change form that would leave the private key wrapped by the
old password, and shows whatever a registered ModelAdmin shows. This site instead:

- has no sign-in of its own: ``/staff/admin/login/`` sends to the staff sign-in
  (password, TOTP, lock-out, audit) and back;
- admits only an active administrator (role, or superuser) with the staff flag,
  signed in with both factors and with their key unlocked in this session; whoever
  is not fully signed in is sent to sign in, other signed-in people get "not found";
- sends its password-change pages to the staff one, which re-wraps the key;
- asks for the password again (``ADMIN_REAUTH_MINUTES``) before any write and
  before an add, change or delete page opens: every write here decides who
  receives or can read which report;
- puts ``AuditedAdminMixin`` in front of every registered ModelAdmin, so each
  add, change and delete is an audit event (model, id, field names; never values).
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from meldpunt.vault.audit import audit_record
from meldpunt.vault.decorators import has_recent_auth, is_fully_signed_in
from meldpunt.vault.views import sign_out

ADMIN_REAUTH_MINUTES = 15
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AuditedAdminMixin:
    """Every add, change and delete through a ModelAdmin becomes an audit event.

    StaffAdminSite.register puts this class in front of each registered admin, so
    its hooks run first even where an app's admin replaces Django's own (a
    delete_model that calls a service instead of super()). Events name the model,
    the object id and the changed field names, never the values: a field may hold
    a name or a report reference.
    """

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Inline rows (line or partner members, options, ...) each get their own event."""
        # Deleting clears the primary key, so the ids are taken before saving.
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        deleted_ids = [(obj._meta.label_lower, str(obj.pk)) for obj in deleted]
        super().save_formset(request, form, formset, change)
        parent = f"{form.instance._meta.label_lower}:{form.instance.pk}"
        for obj in getattr(formset, "new_objects", []):
            audit_record(
                actor=request.user, action="admin.add", target=obj, details={"parent": parent}
            )
        for obj, fields in getattr(formset, "changed_objects", []):
            audit_record(
                actor=request.user,
                action="admin.change",
                target=obj,
                details={"parent": parent, "fields": sorted(fields)},
            )
        for target_type, target_id in deleted_ids:
            audit_record(
                actor=request.user,
                action="admin.delete",
                target_type=target_type,
                target_id=target_id,
                details={"parent": parent},
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", target=obj)
            super().delete_queryset(request, queryset)


def _confirm_password_redirect(request: HttpRequest) -> HttpResponse:
    """To the re-enter-password page and back to this page (a POST is not carried over:
    every admin page that takes one shows its form again on GET)."""
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('vault:confirm_password')}?{query}")


class StaffAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Meldpunt configuration")
    site_title = gettext_lazy("Meldpunt configuration")
    index_title = gettext_lazy("Configuration")

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Roles decide, not Django's model permissions alone: a supervisor given the staff
        flag and every permission still stays out, and so does a session that has not
        passed the second factor or holds no unlocked key."""
        user = request.user
        return (
            is_fully_signed_in(request)
            and user.is_active
            and user.is_staff
            and user.is_administrator
        )

    def _form_page_names(self) -> set[str]:
        return {
            f"{model._meta.app_label}_{model._meta.model_name}_{page}"
            for model in self._registry
            for page in ("add", "change", "delete")
        }

    def _needs_recent_auth(self, request: HttpRequest) -> bool:
        match = request.resolver_match
        url_name = match.url_name if match else ""
        if request.method not in _SAFE_METHODS:
            return url_name != "logout"
        return url_name in self._form_page_names()

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        """Django's wrapper (no caching, CSRF, has_permission) behind the staff gate.

        Not fully signed in: to the staff sign-in. Signed in without admin rights:
        "not found", like the other staff pages of another role. Writes and form
        pages: the password typed in the last ADMIN_REAUTH_MINUTES.
        """
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def gate(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_fully_signed_in(request):
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise Http404
            if self._needs_recent_auth(request) and not has_recent_auth(
                request, minutes=ADMIN_REAUTH_MINUTES
            ):
                return _confirm_password_redirect(request)
            return checked(request, *args, **kwargs)

        return gate

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """No form of its own: a password posted here is never checked."""
        if self.has_permission(request):
            return redirect("admin:index")
        if is_fully_signed_in(request):
            raise Http404
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def logout(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The staff sign-out, which also forgets the unlocked key."""
        return sign_out(request)

    def password_change(self, request: HttpRequest, extra_context: dict | None = None):
        """The staff page: it checks the current password and re-wraps the private key."""
        return redirect("vault:password_change")

    def password_change_done(self, request: HttpRequest, extra_context: dict | None = None):
        return redirect("vault:password_change")
