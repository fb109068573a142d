"""The staff password hasher: Django's Argon2id with a cost the installation sets.

Django's own hasher fixes its cost in class attributes (2 passes over 100 MiB, 8
lanes). The same figures are the defaults here, read from settings so that an
operator can raise them for a faster server, and the test suite can lower them as it
lowers the key derivations' cost (``MELDPUNT_KDF_*``): hundreds of staff accounts
are made and signed in there. A hash stored at another cost still verifies and is
redone at the next sign-in (Django's ``must_update``).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class InstallationArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at ``settings.PASSWORD_ARGON2_TIME_COST`` and ``_MEMORY_KIB``."""

    @property
    def time_cost(self) -> int:
        return settings.PASSWORD_ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.PASSWORD_ARGON2_MEMORY_KIB
