import pytest

from meldpunt.testing import make_category, make_staff
from meldpunt.vault.models import Role


@pytest.fixture
def category(db):
    return make_category()


@pytest.fixture
def line(category):
    return category.line


@pytest.fixture
def analyst(line):
    return make_staff(lines=[line], role=Role.ANALYST)


@pytest.fixture
def colleague(line):
    return make_staff(lines=[line], role=Role.ANALYST)


@pytest.fixture
def supervisor(line):
    return make_staff(lines=[line], role=Role.SUPERVISOR)
