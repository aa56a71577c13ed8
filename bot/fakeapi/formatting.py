"""Text rules of the fake Bot API: UTF-16 lengths, auto-detected entities, parse_mode validation."""

from __future__ import annotations

import re

from bot.fakeapi.state import JSONDict, bad_request


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")


def auto_entities(text: str) -> list[JSONDict]:
    """Entities Telegram detects by itself in user text: bot commands and @mentions."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_HTML_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")
_HTML_ENTITY_CHAR = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ParseError(Exception):
    """Text could not be parsed for its parse_mode (Telegram: can't parse entities)."""


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _plain_html(text: str) -> str:
    """Validate Telegram HTML and return the visible text (tags removed, entities decoded)."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            match = _HTML_TAG_RE.match(text, i)
            if match is None:
                raise ParseError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise ParseError(f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(text, i)}')
            if closing:
                if not stack:
                    raise ParseError(f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}')
                if stack[-1] != name:
                    raise ParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise ParseError('Tag "span" must have class "tg-spoiler"')
                stack.append(name)
            i = match.end()
            continue
        if ch == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match is not None:
                ref = match.group(1)
                if ref.startswith("#x"):
                    out.append(chr(min(int(ref[2:], 16), 0x10FFFF)))
                elif ref.startswith("#"):
                    out.append(chr(min(int(ref[1:]), 0x10FFFF)))
                else:
                    out.append(_HTML_ENTITY_CHAR[ref])
                i = match.end()
                continue
        out.append(ch)
        i += 1
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MDV2_ALWAYS_ESCAPE = frozenset("#+-={}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


def _reserved(ch: str) -> ParseError:
    """The classic MarkdownV2 complaint about an unescaped character."""
    return ParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _plain_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 (conservatively) and return the approximate visible text."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                name = "Pre" if fence == "```" else "Code"
                raise ParseError(f"Can't find end of {name} entity at byte offset {_byte_offset(text, i)}")
            out.append(text[i + len(fence) : j])
            i = j + len(fence)
            continue
        if ch in _MDV2_ALWAYS_ESCAPE:
            raise _reserved(ch)
        if ch == ">":
            at_line_start = i == 0 or text[i - 1] == "\n"
            if not at_line_start:
                raise _reserved(ch)
            i += 1
            continue
        if ch == "|":
            if not text.startswith("||", i):
                raise _reserved(ch)
            ch = "||"
        elif ch == "_" and text.startswith("__", i):
            ch = "__"
        if ch in ("*", "_", "__", "~", "||"):
            open_markers = [marker for marker, _ in stack]
            if ch in open_markers:
                while stack and stack[-1][0] != ch:
                    stack.pop()
                stack.pop()
            else:
                stack.append((ch, i))
            i += len(ch)
            continue
        if ch == "[":
            stack.append(("[", i))
            i += 1
            continue
        if ch == "]":
            if not stack or stack[-1][0] != "[":
                raise _reserved(ch)
            stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j = i + 1
                while j < n and text[j] != ")":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
                i = j + 1
            continue
        if ch in "()":
            raise _reserved(ch)
        out.append(ch)
        i += 1
    if stack:
        marker, where = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset {_byte_offset(text, where)}"
        )
    return "".join(out)


def _plain_markdown(text: str) -> str:
    """Validate legacy Markdown (unclosed *, _, `, [) and return the visible text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            marker = "```" if text.startswith("```", i) else ("]" if ch == "[" else ch)
            end = text.find(marker, i + (3 if marker == "```" else 1))
            if end < 0:
                raise ParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + (3 if marker == "```" else 1) : end])
            i = end + len(marker)
            if ch == "[" and i < n and text[i] == "(":
                close = text.find(")", i)
                i = n if close < 0 else close + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """Return what Telegram would display, raising ParseError where Telegram would refuse."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _plain_html(text)
    if mode == "markdownv2":
        return _plain_markdown_v2(text)
    if mode == "markdown":
        return _plain_markdown(text)
    return text


def entity_text(text: str, entity: JSONDict) -> str:
    """The piece of `text` an entity covers (entity offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start = 2 * int(entity["offset"])
    return units[start : start + 2 * int(entity["length"])].decode("utf-16-le")


def checked_text(
    text: str, parse_mode: str | None, *, parse: bool, limit: int, empty: str, too_long: str
) -> None:
    """Refuse text the way Telegram does: unparsable markup (when `parse`), blank (when `empty`), too long."""
    if parse:
        try:
            visible = visible_text(text, parse_mode)
        except ParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    else:
        visible = text
    if empty and not visible.strip():
        raise bad_request(empty)
    if utf16_len(visible) > limit:
        raise bad_request(too_long)
