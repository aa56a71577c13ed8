"""Errors a person can fix: they carry an untranslated message and its parameters."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Bad input or a refused action; the handler layer translates and shows it, nothing is stored."""

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
