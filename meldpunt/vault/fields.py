"""A model field for configuration secrets that the application must read back."""

import base64
import binascii
import logging
from typing import Any

from django import forms
from django.db import models

from meldpunt.datadir import installation_secret
from meldpunt.vault import crypto

logger = logging.getLogger(__name__)


class InstallationSealedTextField(models.TextField):
    """Text the database keeps sealed (XChaCha20-Poly1305) under a secret of the installation.

    For secrets the application itself must use again, such as the key that signs a
    partner's webhooks: tokens that are only compared are kept hashed instead. The
    key is a shared file of the data directory (``installation_secret``), so a copy
    of the database alone holds only ciphertext. Sealed values cannot be looked up.
    """

    def __init__(self, *args: Any, secret_name: str, **kwargs: Any) -> None:
        self.secret_name = secret_name
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "secret_name": self.secret_name}

    def _key(self) -> bytes:
        return bytes.fromhex(installation_secret(self.secret_name))

    def seal(self, value: str) -> str:
        sealed = crypto.encrypt(self._key(), value.encode(), context=self.secret_name.encode())
        return base64.b64encode(sealed).decode()

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        """The secret, or "" when the installation's key no longer opens it (a lost or
        replaced key file): the row stays usable and the secret must be entered again."""
        if not value:
            return value
        try:
            opened = crypto.decrypt(
                self._key(), base64.b64decode(value), context=self.secret_name.encode()
            )
        except (crypto.DecryptionError, binascii.Error):
            logger.warning("A value sealed under %s no longer opens.", self.secret_name)
            return ""
        return opened.decode()

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return self.seal(value) if value else value

    def formfield(self, **kwargs: Any) -> forms.Field:
        # One line, like the CharField it replaces; not the admin's text area.
        return super().formfield(**{**kwargs, "widget": forms.TextInput})
