"""Request parameters of the fake Bot API: decoding form values like Telegram, reading and validating them."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.fakeapi.state import JSONDict, bad_request

# Keys whose values are free text and must never be JSON/bool/int-decoded.
_STRING_KEYS = frozenset(
    {
        "text",
        "caption",
        "description",
        "short_description",
        "name",
        "title",
        "data",
        "callback_data",
        "query",
        "url",
        "first_name",
        "last_name",
        "username",
        "emoji",
        "question",
        "explanation",
        "address",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "file_name",
        "parse_mode",
        "language_code",
        "secret_token",
        "action",
        "photo",
        "document",
    }
)
# Keys that Telegram documents as Integer (chat_id may also be "@username").
_INT_KEYS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "until_date",
        "max_connections",
    }
)
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+(?:\.\d*)?")


def coerce_value(key: str, value: Any) -> Any:
    """Turn form strings into the JSON types Telegram would parse them as."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return value
    if key in _INT_KEYS and _INT_RE.fullmatch(value):
        return int(value)
    if key == "timeout" and _FLOAT_RE.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if key in _STRING_KEYS:
        return value
    if value in ("true", "false"):
        return value == "true"
    stripped = value.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Coerce every parameter of a request (see coerce_value)."""
    return {key: coerce_value(key, value) for key, value in raw.items()}


def int_param(params: JSONDict, key: str, *, required: bool = True) -> int | None:
    """An integer parameter, 400 if missing (when required) or not an integer."""
    value = params.get(key)
    if value is None or value == "":
        if required:
            what = "message identifier is not specified" if key == "message_id" else f"{key} is empty"
            raise bad_request(what)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"invalid {key} specified")
    return value


def str_param(params: JSONDict, key: str) -> str | None:
    """A string parameter (numbers are stringified like Telegram does)."""
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise bad_request(f"{key} must be a string")
    return value if isinstance(value, str) else json.dumps(value)


def inline_markup(params: JSONDict) -> JSONDict | None:
    """Validate reply_markup; return it only if inline (the only kind echoed in Message)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        elif len(button) == 1:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
    return markup
