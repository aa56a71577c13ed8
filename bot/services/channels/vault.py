"""Encryption at rest for robot keys, tokens, signing secrets and mobiles (Fernet, CHANNEL_SECRET_KEY)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from bot.i18n import N_
from bot.services.errors import UserError

NO_KEY = N_(
    "Robots need CHANNEL_SECRET_KEY: the bot keeps robot keys and mobiles encrypted with it. Ask whoever "
    "runs the bot to set it (any long random string) in .env and restart."
)


class Vault:
    """Encrypts and decrypts short secrets with a key derived from the configured passphrase."""

    def __init__(self, passphrase: str) -> None:
        """Derive a Fernet key from any passphrase, so people need not produce Fernet's own format."""
        digest = hashlib.sha256(passphrase.encode("utf-8")).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: str) -> str:
        """The encrypted form stored in the database."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The clear value, or None when it was sealed with another key."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None


def vault_of(passphrase: str | None) -> Vault:
    """The vault for the configured key; without one, explain what to set."""
    if not passphrase:
        raise UserError(NO_KEY)
    return Vault(passphrase)


def hint(secret: str) -> str:
    """The only part of a secret ever shown: its last four characters."""
    return "…" + secret[-4:]
