import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from meldpunt.lines.models import Category, Line, Municipality, Question
from meldpunt.lines.transfer import lines_export, lines_import

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo.yaml"


def test_demo_configuration_imports_with_conditions_and_phasing():
    counts = lines_import(yaml.safe_load(DEMO.read_text()))
    assert counts["lines"] == 3
    crime = Line.objects.get(slug="misdaad")
    assert not crime.categories.get(slug="milieucriminaliteit").is_public
    suspects = Question.objects.get(category__slug="drugs", key="suspects")
    assert suspects.shown_if_question.key == "suspect_known"
    assert suspects.shown_if_value == "yes"


def test_export_then_import_changes_nothing():
    lines_import(yaml.safe_load(DEMO.read_text()))
    first = lines_export()
    lines_import(first)
    assert lines_export() == first
    assert Category.objects.count() == 10


def test_import_is_all_or_nothing():
    data = {
        "municipalities": [{"code": "GM0001", "name": "Ergens"}],
        "lines": [
            {
                "slug": "x",
                "name": "X",
                "categories": [
                    {"slug": "c", "name": "C", "questions": [{"key": "q", "kind": "bogus"}]}
                ],
            }
        ],
    }
    with pytest.raises(Exception, match="unknown kind"):
        lines_import(data)
    assert not Line.objects.exists()
    assert not Municipality.objects.exists()


def test_command_round_trip_through_json_file(tmp_path):
    lines_import(yaml.safe_load(DEMO.read_text()))
    out = tmp_path / "lines.json"
    call_command("lines", "export", "--format", "json", "--output", str(out))
    data = json.loads(out.read_text())
    assert {line["slug"] for line in data["lines"]} == {
        "misdaad",
        "vertrouwenslijn",
        "online-inhoud",
    }
    call_command("lines", "import", str(out))


def test_command_rejects_broken_file_with_clear_message(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("lines: [unclosed")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("lines", "import", str(broken))
    not_mapping = tmp_path / "list.yaml"
    not_mapping.write_text("- a\n- b\n")
    with pytest.raises(CommandError, match="expected a mapping"):
        call_command("lines", "import", str(not_mapping))
