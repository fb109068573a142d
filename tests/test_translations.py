"""Dutch is the default language: every message must have a Dutch translation."""

import importlib
import os
import shutil
from pathlib import Path

import polib
import pytest
from django import forms as django_forms
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[1] / "meldpunt"
LOCALE = PACKAGE / "locale" / "nl" / "LC_MESSAGES"


def test_every_message_has_a_dutch_translation():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_catalogue_holds_every_message_in_the_source(tmp_path, monkeypatch):
    """Strings added to code or templates must reach the catalogue (run makemessages).

    Extraction runs on a copy of the package, so the checked-in catalogue is untouched.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("xgettext (Debian package gettext) is needed to check the catalogue")
        pytest.skip("xgettext is not installed (Debian package gettext)")
    copy = tmp_path / "meldpunt"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.sqlite3", "data", "static"),
    )
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["nl"], no_location=True, verbosity=0)
    extracted = {
        entry.msgid for entry in polib.pofile(str(copy / LOCALE.relative_to(PACKAGE) / "django.po"))
    }
    translated = {
        entry.msgid for entry in polib.pofile(str(LOCALE / "django.po")) if not entry.obsolete
    }
    assert sorted(extracted - translated) == []


def test_compiled_catalogue_matches_the_translations():
    source = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po")) if e.msgstr}
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo"))}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}


@pytest.mark.django_db
def test_reporter_pages_speak_dutch_by_default_and_english_under_en(client):
    assert "Anoniem melden" in client.get("/").content.decode()
    assert "Report anonymously" in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_staff_pages_follow_the_browser_language_reporter_pages_the_url(client):
    assert "Inloggen voor medewerkers" in client.get("/staff/sign-in/").content.decode()
    english = client.get("/staff/sign-in/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Staff sign-in" in english.content.decode()
    assert english["Content-Language"] == "en"
    # Reporter pages never depend on what the browser says about itself.
    reporter = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anoniem melden" in reporter


def _project_forms() -> list[type[django_forms.BaseForm]]:
    found = []
    for path in sorted(PACKAGE.rglob("forms.py")):
        module = importlib.import_module(
            ".".join(("meldpunt", *path.relative_to(PACKAGE).with_suffix("").parts))
        )
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, django_forms.BaseForm)
            and value.__module__ == module.__name__
        ]
    return found


# Django's labels for "nothing chosen", which it does not translate into Dutch.
DJANGO_EMPTY_LABELS = {"- Select an option -", "---------"}


def test_no_select_list_shows_django_s_untranslated_empty_choice():
    """Issue 16 item 3: an empty select said "- Select an option -" on Dutch pages."""
    forms = _project_forms()
    assert len(forms) > 20  # the search found the forms
    untranslated = []
    for form in forms:
        for name, field in form.base_fields.items():
            if isinstance(field, django_forms.ModelMultipleChoiceField):
                continue
            if isinstance(field, django_forms.ModelChoiceField):
                labels = [field.empty_label]
            elif isinstance(field, django_forms.ChoiceField):
                labels = [label for _value, label in field.choices]
            else:
                continue
            if DJANGO_EMPTY_LABELS & {str(label) for label in labels}:
                untranslated.append(f"{form.__module__}.{form.__name__}.{name}")
    assert untranslated == []


@pytest.mark.django_db
def test_the_case_page_s_empty_choice_is_translated(client):
    from meldpunt.cases.tests.factories import make_report
    from meldpunt.testing import make_category, make_staff, sign_in

    category = make_category()
    analyst = make_staff(lines=[category.line])
    make_staff(lines=[category.line])  # someone to hand over to
    report = make_report(category=category)
    sign_in(client, analyst)
    dutch = client.get(f"/staff/cases/reports/{report.pk}/").content.decode()
    assert '<option value="" selected>- Kies -</option>' in dutch
    assert "---------" not in dutch and "Select an option" not in dutch
    english = client.get(f"/staff/cases/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="" selected>- Choose -</option>' in english.content.decode()


@pytest.mark.django_db
def test_staff_choose_their_pages_language_and_reporter_pages_keep_the_urls(client):
    """A Dutch analyst with an English browser (or the reverse) picks the language once."""
    english = client.get("/staff/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language" value="nl"' in english and ">Nederlands<" in english
    chosen = client.post("/language/", {"language": "nl", "next": "/staff/sign-in/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/staff/sign-in/"
    cookie = chosen.cookies["mp_lang"]
    assert cookie.value == "nl" and cookie["httponly"] and cookie["samesite"] == "Strict"
    dutch = client.get("/staff/sign-in/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Inloggen voor medewerkers" in dutch.content.decode()
    assert 'value="en"' in dutch.content.decode() and dutch["Content-Language"] == "nl"
    client.post("/language/", {"language": "en", "next": "/partner/"})
    assert "Staff sign-in" in client.get("/staff/sign-in/").content.decode()
    # A reporter page keeps the language of its address, whatever the cookie says.
    assert "Anoniem melden" in client.get("/").content.decode()
    assert "Report anonymously" in client.get("/en/").content.decode()
    # The way back goes to this site only.
    away = client.post("/language/", {"language": "nl", "next": "https://example.org/"})
    assert away["Location"] == "/"
