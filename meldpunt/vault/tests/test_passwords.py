"""Staff passwords: Argon2id at the cost the installation sets (vault.passwords)."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings

from meldpunt.testing import PASSWORD, make_staff, sign_in


def test_staff_passwords_are_argon2id_at_the_installations_cost():
    with override_settings(PASSWORD_ARGON2_TIME_COST=3, PASSWORD_ARGON2_MEMORY_KIB=256):
        encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=256,t=3,p=8$")
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)


@pytest.mark.django_db
def test_a_password_hashed_at_another_cost_signs_in_and_is_hashed_again_at_the_new_one():
    user = make_staff()
    assert ",t=1,p=8$" in user.password
    with override_settings(PASSWORD_ARGON2_TIME_COST=2):
        sign_in(Client(), user)
    user.refresh_from_db()
    assert ",t=2,p=8$" in user.password
    assert check_password(PASSWORD, user.password)
