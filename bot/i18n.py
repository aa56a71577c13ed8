"""Translations from gettext catalogs (Babel), compiled in memory so the `.po` files stay the only source."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALES: tuple[str, ...] = ("en", "zh_CN")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated later, where it is shown."""
    return message


def normalise_locale(code: str | None) -> str | None:
    """Map what people type (`zh`, `zh-CN`, `中文`, `english`) to a supported locale, or None."""
    if not code:
        return None
    key = code.strip().replace("-", "_").lower()
    if key in {"zh", "zh_cn", "zh_hans", "cn", "中文", "简体中文", "chinese"}:
        return "zh_CN"
    if key in {"en", "en_us", "en_gb", "english", "英文", "英语"}:
        return "en"
    return None


@functools.cache
def _catalog(locale: str) -> Translations:
    """Compile one locale's `.po` file once per process."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class Translator:
    """Translates and formats messages for one locale; call it as `_("Hello {name}", name=...)`."""

    __slots__ = ("_translations", "locale")

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else LOCALES[0]
        self._translations = _catalog(self.locale)

    def __call__(self, message: str, /, **params: Any) -> str:
        """Translate, then fill `{placeholders}`."""
        text: str = self._translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """Translate the form for `n` (English has two, Chinese one), then fill placeholders; `{n}` is n
        as the locale writes numbers (1,200).

        Named like gettext's own function so the default extraction keywords pick it up."""
        text: str = self._translations.ngettext(singular, plural, n)
        return text.format(**{"n": self.number(n), **params})

    def number(self, value: int | Decimal) -> str:
        """A count or quantity as the locale writes it: 1,200 (grouping) with the decimals it has."""
        return str(format_decimal(value, locale=self.locale))

    def amount(self, value: Decimal) -> str:
        """Money as the locale writes it, always with two decimals: 1,234.50."""
        return str(format_decimal(value, format="#,##0.00", locale=self.locale))

    def join(self, items: Iterable[str]) -> str:
        """Join list items with the language's separator (`, ` in English, `、` in Chinese)."""
        return self._translations.gettext(", ").join(items)


@functools.cache
def translator(locale: str) -> Translator:
    """The shared translator for a locale."""
    return Translator(locale)
