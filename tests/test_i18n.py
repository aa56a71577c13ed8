"""Translations: every string the code marks is in both catalogs, translated, with matching placeholders."""

from __future__ import annotations

import string
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, LOCALES_DIR, Translator, normalise_locale, translator

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "handlers", "jobs")
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["t", "N_"])}  # like `pybabel extract -k t -k N_`
FIX = "run `make messages`, then translate the new entries in bot/locales/zh_CN/LC_MESSAGES/messages.po"


def message_id(raw: str | tuple[str, ...] | list[str]) -> str:
    """The singular msgid of an extracted or catalogued message."""
    return raw if isinstance(raw, str) else raw[0]


@cache
def extracted() -> dict[str, list[str]]:
    """Every translatable string in the source, mapped to where it occurs (`file:line`)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, raw, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=method_map, options_map=options_map, keywords=KEYWORDS
        ):
            found.setdefault(message_id(raw), []).append(f"{folder}/{filename}:{lineno}")
    return found


@cache
def catalog(locale: str) -> Catalog:
    """One locale's `.po` file, parsed."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def entries(locale: str) -> dict[str, Any]:
    """The catalog's messages by msgid, without the header."""
    return {message_id(m.id): m for m in catalog(locale) if m.id}


def placeholders(text: str) -> set[str]:
    """The `{names}` a str.format template fills."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def listing(msgids: Iterable[str]) -> str:
    """Offending msgids, one per line, quoted so blanks and punctuation show."""
    return "\n".join(f"  {msgid!r}" for msgid in sorted(msgids))


def test_the_extractor_finds_the_strings_we_know_about() -> None:
    found = extracted()
    # t(...), N_(...) and the translator's own gettext(", ") must all be picked up
    assert "Sorry, something went wrong on my side. It has been logged; please try again." in found
    assert "your roles" in found and "Usage: {example}" in found and ", " in found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_source_string_is_in_the_catalog(locale: str) -> None:
    missing = {msgid: where for msgid, where in extracted().items() if msgid not in entries(locale)}
    assert not missing, f"{len(missing)} msgid(s) missing from the {locale} catalog; {FIX}:\n" + "\n".join(
        f"  {msgid!r} ({', '.join(where)})" for msgid, where in sorted(missing.items())
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_unused_or_obsolete_entries(locale: str) -> None:
    unused = set(entries(locale)) - set(extracted())
    obsolete = {message_id(m.id) for m in catalog(locale).obsolete.values()}
    assert not unused, f"{locale} catalog has msgids no code uses; {FIX}:\n{listing(unused)}"
    assert not obsolete, f"{locale} catalog keeps obsolete (#~) entries; {FIX}:\n{listing(obsolete)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_entry_is_fuzzy(locale: str) -> None:
    fuzzy = {msgid for msgid, m in entries(locale).items() if m.fuzzy}
    assert not fuzzy, f"fuzzy entries in {locale} (check the translation, then drop `#, fuzzy`):\n" + listing(
        fuzzy
    )


def test_every_chinese_entry_is_translated() -> None:
    untranslated = {msgid for msgid, m in entries("zh_CN").items() if not m.string}
    assert not untranslated, "zh_CN msgids without a translation (fill in msgstr):\n" + listing(untranslated)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale: str) -> None:
    wrong: dict[str, str] = {}
    for msgid, m in entries(locale).items():
        if not m.string:
            continue
        try:
            expected, actual = placeholders(msgid), placeholders(message_id(m.string))
        except ValueError as exc:
            wrong[msgid] = f"unbalanced braces: {exc}"
            continue
        if expected != actual:
            wrong[msgid] = f"msgid has {sorted(expected)}, translation has {sorted(actual)}"
    assert not wrong, f"{locale} translations whose {{placeholders}} differ from the msgid:\n" + "\n".join(
        f"  {msgid!r}: {problem}" for msgid, problem in sorted(wrong.items())
    )


@pytest.mark.parametrize(
    ("typed", "locale"),
    [
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("ZH_cn", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        (" 中文 ", "zh_CN"),
        ("简体中文", "zh_CN"),
        ("Chinese", "zh_CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("English", "en"),
        ("英语", "en"),
        ("klingon", None),
        ("zh-TW", None),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_locale_understands_what_people_type(typed: str | None, locale: str | None) -> None:
    assert normalise_locale(typed) == locale


def test_translator_translates_then_formats() -> None:
    zh, en = translator("zh_CN"), translator("en")
    template = "You are {name} (id {id}). Roles: {roles}."
    assert zh(template, name="@amy", id=7, roles="经理") == "你是 @amy（id 7）。角色：经理。"
    assert en(template, name="@amy", id=7, roles="manager") == "You are @amy (id 7). Roles: manager."


def test_translator_inserts_values_literally() -> None:
    text = translator("en")("Unknown language “{value}”. Languages: en, zh.", value="{oops} {0}")
    assert text == "Unknown language “{oops} {0}”. Languages: en, zh."


def test_unknown_msgid_is_shown_untranslated() -> None:
    assert translator("zh_CN")("Not in any catalog: {n}", n=3) == "Not in any catalog: 3"


def test_join_uses_the_language_separator() -> None:
    assert translator("en").join(["pre-sales", "manager"]) == "pre-sales, manager"
    assert translator("zh_CN").join(["售前", "经理"]) == "售前、经理"
    assert translator("zh_CN").join([]) == ""


def test_unknown_locale_falls_back_to_english() -> None:
    fallback = Translator("klingon")
    assert fallback.locale == "en"
    assert fallback("Usage: {example}", example="/lang zh") == "Usage: /lang zh"
    assert fallback.join(["a", "b"]) == "a, b"
    assert translator("zh_CN")("Usage: {example}", example="/lang zh") == "用法：/lang zh"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_reads_without_a_problem(locale: str) -> None:
    """An entry that lost its msgstr in a merge is read with a warning and then shown untranslated."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        read_po(po, locale=locale, abort_invalid=True)
