"""The permission matrix of the admin: every admin URL, for every role, in every sign-in state.

The URLs are every route of the admin site (each registered ModelAdmin's
changelist, add, change, delete, history and its own extra views, and the site's
own views), filled in with a real object of each model; a coverage check fails
when a route is added that the list misses. Roles are those of vault.Role (every
non-administrator has the staff flag and every model permission, so only the
site's own rule keeps them out) and anonymous. States: password only (the first
step of the staff sign-in, and the password posted to the admin's old login form),
a Django session without the second factor (what the stock admin login gave),
both factors but no unlocked key in the session, and fully signed in.
Denied requests, destructive ones included, must change nothing.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from meldpunt.cases.models import ClassificationScheme, LineCaseSettings, QuestionTemplate
from meldpunt.cases.tests.factories import make_report
from meldpunt.chat.models import (
    CannedAnswer,
    ChatSettings,
    ClosedDay,
    ContactType,
    OpeningHours,
)
from meldpunt.hashes.models import Algorithm, HashCheckClient, HashList, KnownHash
from meldpunt.hotline.models import ActionKind, AddressAction, HostingProvider
from meldpunt.hotline.services import reported_url_create
from meldpunt.lines.models import Category, Line, Municipality
from meldpunt.lines.webaddress import url_normalise
from meldpunt.network.models import (
    Partner,
    PartnerCountry,
    PartnerHotlineExchange,
    PartnerKind,
    PartnerMembership,
    RecipientKind,
    RoutingRule,
)
from meldpunt.network.tests.factories import make_partner
from meldpunt.stats.models import PhenomenonSettings
from meldpunt.testing import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PASSWORD,
    REDIRECT,
    answer_mismatch,
    make_category,
    make_line,
    make_staff,
    sign_in,
    url_routes,
)
from meldpunt.vault.models import AuditEvent, Role, StaffUser
from meldpunt.vault.sessionsecrets import COOKIE_NAME

pytestmark = pytest.mark.django_db

ROLES = ("administrator", "supervisor", "analyst", "partner")
STATES = ("password_only", "no_second_factor", "no_key", "signed_in")
METHOD_NOT_ALLOWED = 405
PREFIX = "/staff/admin/"

# What a fully signed-in administrator gets where it is not a page (200).
REFUSED = {
    ("vault.staffuser", "delete"): FORBIDDEN,  # accounts are deactivated, never deleted
    ("hashes.hashcheckclient", "add"): FORBIDDEN,  # tokens are made on the command line
    ("django_tasks_database.dbtaskresult", "add"): FORBIDDEN,  # read-only
    ("django_tasks_database.dbtaskresult", "delete"): FORBIDDEN,
    ("vault.staffuser", "password"): REDIRECT,  # refused: see StaffUserAdmin
    ("hashes.knownhash", "add"): FORBIDDEN,  # hashes come in by import or the own list
    ("hashes.knownhash", "delete"): FORBIDDEN,  # retired (reversibly), never deleted here
    ("hotline.addressaction", "add"): FORBIDDEN,  # made by confirming, never by hand
    ("hotline.addressaction", "delete"): FORBIDDEN,
}
SITE_ANSWERS = {
    "login": REDIRECT,  # to the index: already signed in
    "logout": METHOD_NOT_ALLOWED,  # GET; signing out is a POST
    "password_change": REDIRECT,  # to the staff page that re-wraps the key
    "password_change_done": REDIRECT,
    "autocomplete": FORBIDDEN,  # no field named
    "view_on_site": NOT_FOUND,  # staff members have no page on the site
    "catch_all": NOT_FOUND,
}


class World:
    """One object of every registered model, the person asking and a target account."""

    def __init__(self, role: str | None) -> None:
        self.line = make_line()
        self.target = make_staff(lines=[self.line])
        self.partner = make_partner(lines=[self.line])
        self.category = make_category(line=self.line)
        # Another category for what protects its category from deletion.
        self.kept_category = make_category(line=self.line)
        self.objects: dict[type[Model], Model] = {
            StaffUser: self.target,
            Line: self.line,
            Category: self.category,
            Group: Group.objects.create(name="configuration"),
            DBTaskResult: DBTaskResult.objects.create(
                args_kwargs={"args": [], "kwargs": {}},
                task_path="meldpunt.periodic.periodic_run",
                backend_name="default",
                run_after=get_date_max(),
                exception_class_path="",
                traceback="",
            ),
            Municipality: Municipality.objects.create(code="GM0344", name="Utrecht"),
            ClassificationScheme: ClassificationScheme.objects.create(
                line=self.line, slug="kind", name="Soort"
            ),
            QuestionTemplate: QuestionTemplate.objects.create(
                line=self.line, language="nl", title="Wanneer?", body="Wanneer was het?"
            ),
            LineCaseSettings: LineCaseSettings.objects.create(line=self.line),
            PhenomenonSettings: PhenomenonSettings.objects.create(line=self.line),
            ChatSettings: ChatSettings.objects.create(
                line=self.line, receipt_category=self.kept_category
            ),
            OpeningHours: OpeningHours.objects.create(
                line=self.line, weekday=0, opens="09:00", closes="17:00"
            ),
            ClosedDay: ClosedDay.objects.create(line=self.line, day="2026-12-25"),
            CannedAnswer: CannedAnswer.objects.create(
                line=self.line, language="nl", title="Welkom", text="Welkom bij de chat."
            ),
            ContactType: ContactType.objects.create(line=self.line, name="Algemene informatie"),
            HashList: HashList.objects.create(name="police-2026", public_label="Politie"),
            HashCheckClient: HashCheckClient.objects.create(name="Host BV", token_hash="0" * 64),
            Partner: self.partner,
            PartnerMembership: PartnerMembership.objects.get(partner=self.partner),
            RoutingRule: RoutingRule.objects.create(
                line=self.line, recipient=RecipientKind.PARTNER, partner=self.partner
            ),
            PartnerCountry: PartnerCountry.objects.get(code="DE"),
            PartnerHotlineExchange: PartnerHotlineExchange.objects.create(
                partner=make_partner(kind=PartnerKind.FOREIGN_HOTLINE, country="DE"),
                public_key="0" * 64,
                category=self.kept_category,
            ),
        }
        self.objects[KnownHash] = KnownHash.objects.create(
            hash_list=self.objects[HashList], algorithm=Algorithm.SHA256, value="ab" * 32
        )
        provider = HostingProvider.objects.create(asn=64500, name="Example hosting")
        self.objects[HostingProvider] = provider
        self.objects[AddressAction] = AddressAction.objects.create(
            reported_url=reported_url_create(
                report=make_report(category=self.kept_category),
                address=url_normalise("https://pics.example.test/1.jpg"),
            ),
            kind=ActionKind.NOTICE,
            provider=provider,
            created_at=timezone.now(),
            next_attempt_at=timezone.now(),
        )
        self.actor = None
        if role is not None:
            self.actor = make_staff(role=role, username=f"the-{role}")
            # The staff flag and every model permission: only the site's rule keeps
            # a non-administrator out (Django's stock admin would let them in).
            StaffUser.objects.filter(pk=self.actor.pk).update(
                is_staff=True, is_superuser=role == Role.ADMINISTRATOR
            )
            self.actor.user_permissions.set(Permission.objects.all())
            self.actor.refresh_from_db()

    def client(self, state: str | None) -> Client:
        client = Client()
        if self.actor is None:
            return client
        if state == "password_only":
            credentials = {"username": self.actor.username, "password": PASSWORD}
            client.post("/staff/sign-in/", credentials)
            client.post(f"{PREFIX}login/", credentials)
        elif state == "no_second_factor":
            client.force_login(self.actor)
        else:
            sign_in(client, self.actor)
            if state == "no_key":
                del client.cookies[COOKIE_NAME]
        return client


def _url(model: type[Model], page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def admin_urls(world: World) -> list[tuple[str, str, int]]:
    """(URL, what it is, what a signed-in administrator gets) for every admin route."""
    urls = [
        (reverse("admin:index"), "index", OK),
        (reverse("admin:jsi18n"), "jsi18n", OK),
        (
            reverse(
                "admin:view_on_site",
                args=[ContentType.objects.get_for_model(StaffUser).pk, world.target.pk],
            ),
            "view_on_site",
            SITE_ANSWERS["view_on_site"],
        ),
        (f"{PREFIX}no-such-page/", "catch_all", SITE_ANSWERS["catch_all"]),
    ]
    for name in ("login", "logout", "password_change", "password_change_done", "autocomplete"):
        urls.append((reverse(f"admin:{name}"), name, SITE_ANSWERS[name]))
    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        pk = world.objects[model].pk
        urls += [
            (_url(model, "changelist"), f"{label} changelist", OK),
            (_url(model, "add"), f"{label} add", REFUSED.get((label, "add"), OK)),
            (_url(model, "change", pk), f"{label} change", OK),
            (_url(model, "history", pk), f"{label} history", OK),
            (
                _url(model, "delete", pk),
                f"{label} delete",
                REFUSED.get((label, "delete"), OK),
            ),
            # The old-style object URL redirects to its change page.
            (f"{PREFIX}{info[0]}/{info[1]}/{pk}/", f"{label} object", REDIRECT),
        ]
    urls += [
        (reverse("admin:app_list", args=[label]), f"{label} app", OK)
        for label in sorted({model._meta.app_label for model in admin.site._registry})
    ]
    password = reverse("admin:auth_user_password_change", args=[world.target.pk])
    urls.append((password, "vault.staffuser password", REFUSED[("vault.staffuser", "password")]))
    return urls


def test_the_matrix_covers_every_admin_route():
    world = World(role=None)
    # Django drops the "^" of a regular-expression route when it joins it to a prefix.
    routes = {
        (PREFIX.lstrip("/") + route).replace("^", "")
        for route, _view in url_routes(admin.site.get_urls())
    }
    assert {resolve(url).route for url, _what, _want in admin_urls(world)} == routes


def _snapshot() -> dict:
    """Every row of every model the admin can change, and the audit log."""
    tables = {
        model._meta.label_lower: list(model.objects.order_by("pk").values())
        for model in admin.site._registry
    }
    tables["events"] = AuditEvent.objects.count()
    tables["permissions"] = list(StaffUser.user_permissions.through.objects.order_by("pk").values())
    return tables


def _destructive_posts(world: World) -> list[tuple[str, dict]]:
    """Requests that would delete or take over something if they were let through."""
    posts = []
    for model in admin.site._registry:
        pk = world.objects[model].pk
        posts.append((_url(model, "delete", pk), {"post": "yes"}))
        posts.append(
            (
                _url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
            )
        )
    if world.actor is not None:
        posts.append(
            (
                reverse("admin:vault_staffuser_change", args=[world.actor.pk]),
                takeover_form(world.actor),
            )
        )
        posts.append((f"{PREFIX}login/", {"username": world.actor.username, "password": PASSWORD}))
    posts.append((reverse("admin:password_change"), password_change_form()))
    return posts


def takeover_form(user: StaffUser) -> dict:
    """The StaffUser change form, filled in to make ``user`` a superuser administrator."""
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "role": Role.ADMINISTRATOR,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "locked_until_0": "",
        "locked_until_1": "",
    }


def password_change_form() -> dict:
    new = "a different passphrase 9"
    return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


def _check(client: Client, urls, want_for) -> list[str]:
    failures = []
    for url, what, answer in urls:
        problem = answer_mismatch(client.get(url), want_for(answer))
        if problem:
            failures.append(f"GET {url} ({what}): {problem}")
    return failures


@pytest.mark.parametrize(
    ("role", "state"),
    [(role, state) for role in ROLES for state in STATES] + [("anonymous", "signed_out")],
)
def test_every_admin_url_for_every_role_and_sign_in_state(role, state):
    world = World(role=None if role == "anonymous" else role)
    client = world.client(state)
    allowed = role == "administrator" and state == "signed_in"
    fully_signed_in = role != "anonymous" and state == "signed_in"

    def want_for(answer: int) -> int | str:
        if allowed:
            return answer
        return NOT_FOUND if fully_signed_in else LOGIN

    urls = admin_urls(world)
    failures = _check(client, urls, want_for)
    if not allowed:
        before = _snapshot()
        for url, data in _destructive_posts(world):
            problem = answer_mismatch(client.post(url, data), want_for(OK))
            if problem:
                failures.append(f"POST {url}: {problem}")
        assert _snapshot() == before, "a denied request changed something"
        if world.actor is not None:
            world.actor.refresh_from_db()
            assert world.actor.check_password(PASSWORD)
    assert not failures, "\n".join(failures)


def test_the_destructive_requests_work_for_a_signed_in_administrator():
    """So the denied ones above would have changed something had they been let through."""
    world = World(role="administrator")
    client = world.client("signed_in")
    other = make_staff(role=Role.ANALYST)
    category = world.objects[Category]
    deleted = client.post(
        reverse("admin:lines_category_changelist"),
        {"action": "delete_selected", "_selected_action": [category.pk], "post": "yes"},
    )
    assert deleted.status_code == 302 and not Category.objects.filter(pk=category.pk).exists()
    scheme = world.objects[ClassificationScheme]
    deleted = client.post(
        reverse("admin:cases_classificationscheme_delete", args=[scheme.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302 and not ClassificationScheme.objects.exists()
    changed = client.post(
        reverse("admin:vault_staffuser_change", args=[other.pk]), takeover_form(other)
    )
    assert changed.status_code == 302, changed.context and changed.context["errors"]
    other.refresh_from_db()
    assert other.is_superuser and other.role == Role.ADMINISTRATOR
