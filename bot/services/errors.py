"""Errors a person can fix: they carry an untranslated message and its parameters."""

from __future__ import annotations

from typing import Any

MAX_ECHO = 60
"""How much of a person's bad input is repeated back to them."""


def shorten(value: Any) -> Any:
    """Cut a person's long input so an error reply quotes the mistake, not a whole pasted message."""
    if isinstance(value, str) and len(value) > MAX_ECHO:
        return value[: MAX_ECHO - 1] + "…"
    return value


class Msg(str):
    """A parameter of a UserError that is itself a message, translated when the error is shown."""

    __slots__ = ()


class UserError(Exception):
    """Bad input or a refused action; the handler layer translates and shows it, nothing is stored."""

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = {**params, "value": shorten(params["value"])} if "value" in params else params
