"""What differs between WeCom and DingTalk robots: how a robot is named, its URLs, message shapes and answers.

WeCom: `POST /cgi-bin/webhook/send?key=KEY` (text up to 2,048 bytes with `mentioned_list` /
`mentioned_mobile_list`, markdown up to 4,096 bytes with `<@userid>`, file by a `media_id` from upload_media);
45009 when over 20 messages a minute. DingTalk: `POST /robot/send?access_token=T[&timestamp=MS&sign=S]` with
S = Base64(HMAC-SHA256(secret, "MS\\nsecret")); `markdown` with `at.atMobiles` / `at.atUserIds` (and `@who` in
the text); 130101 when over 20 a minute, after which the robot is throttled for 10 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Final
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from bot.i18n import N_
from bot.services.errors import UserError

WECOM, DINGTALK = "wecom", "dingtalk"
VENDORS: Final = (WECOM, DINGTALK)
LABELS: Final = {WECOM: N_("WeCom"), DINGTALK: N_("DingTalk")}
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
SECRET = re.compile(r"^SEC[A-Za-z0-9]{8,128}$")
WECOM_TEXT_BYTES, WECOM_MARKDOWN_BYTES, DINGTALK_BYTES = 2048, 4096, 18000
LIMIT_CODES: Final = {WECOM: 45009, DINGTALK: 130101}
LIMIT_WAIT: Final = {WECOM: timedelta(seconds=60), DINGTALK: timedelta(minutes=10)}
"""How long a robot that answered "too fast" stays closed: a minute for WeCom, ten for DingTalk."""
BUSY_CODES: Final = frozenset({-1})
"""Answers meaning "system busy, try again": retried like a 5xx."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a robot is reached with, in clear (only ever held in memory)."""

    vendor: str
    token: str
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """How a robot answered one post: accepted, to be retried after a wait, or refused for good."""

    ok: bool
    code: int
    message: str
    retry: timedelta | None = None

    @property
    def reason(self) -> str:
        """The vendor's code and words, for the delivery row and the supervisors."""
        return f"{self.code} {self.message}".strip()


def read_credentials(vendor: str, words: list[str]) -> Credentials:
    """A robot from what a manager typed: its key or token (or its webhook URL) and DingTalk's secret."""
    if not words:
        raise UserError(N_("Send the robot's webhook URL or its key, e.g. /wecom https://…/send?key=…"))
    given = words[0].strip()
    field = "key" if vendor == WECOM else "access_token"
    if "://" in given:
        found = parse_qs(urlsplit(given).query).get(field)
        given = found[0] if found else ""
    if not TOKEN.match(given):
        raise UserError(N_("That is not a robot's webhook URL or key: copy it from the robot's settings."))
    secret = words[1].strip() if len(words) > 1 and vendor == DINGTALK else None
    if secret is not None and not SECRET.match(secret):
        raise UserError(
            N_("A DingTalk signing secret starts with SEC: copy it from the robot's security settings.")
        )
    return Credentials(vendor, given, secret)


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: Base64(HMAC-SHA256(secret, "timestamp\\nsecret")) (URL-encoded when sent)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def send_url(base: str, robot: Credentials, timestamp_ms: int) -> str:
    """Where a post goes; DingTalk's carries the signature when the robot signs."""
    base = base.rstrip("/")
    if robot.vendor == WECOM:
        return f"{base}/cgi-bin/webhook/send?key={quote(robot.token)}"
    query = {"access_token": robot.token}
    if robot.secret:
        query |= {"timestamp": str(timestamp_ms), "sign": sign(robot.secret, timestamp_ms)}
    return f"{base}/robot/send?{urlencode(query)}"


def upload_url(base: str, robot: Credentials) -> str:
    """Where WeCom takes a file before it can be posted (by the media_id it answers)."""
    return f"{base.rstrip('/')}/cgi-bin/webhook/upload_media?key={quote(robot.token)}&type=file"


def answer(vendor: str, status: int, body: object) -> Answer:
    """Classify a robot's reply: 0 is accepted, the limit code and 5xx are retried, anything else refused."""
    if status >= 500 or status == 429:
        return Answer(False, status, f"HTTP {status}", retry=timedelta(seconds=30))
    data = body if isinstance(body, dict) else {}
    code = data.get("errcode")
    message = str(data.get("errmsg", ""))[:200]
    if not isinstance(code, int):
        return Answer(False, status, f"HTTP {status}: unexpected answer")
    if code == 0:
        return Answer(True, 0, message)
    if code == LIMIT_CODES[vendor]:
        return Answer(False, code, message, retry=LIMIT_WAIT[vendor])
    if code in BUSY_CODES:
        return Answer(False, code, message, retry=timedelta(seconds=30))
    return Answer(False, code, message)


def cut(text: str, limit: int) -> str:
    """The text within a byte limit (UTF-8), ending in … when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


@dataclass(frozen=True, slots=True)
class Someone:
    """A mentioned team member as the robot's app knows them."""

    user_id: str | None
    mobile: str | None


def wecom_message(text: str, mentions: dict[str, Someone]) -> dict[str, object]:
    """WeCom: markdown with `<@userid>` mentions; plain text when someone is known only by mobile."""
    if any(who.mobile and not who.user_id for who in mentions.values()):
        return {
            "msgtype": "text",
            "text": {
                "content": cut(text, WECOM_TEXT_BYTES),
                "mentioned_list": [who.user_id for who in mentions.values() if who.user_id],
                "mentioned_mobile_list": [
                    who.mobile for who in mentions.values() if who.mobile and not who.user_id
                ],
            },
        }
    for token, who in mentions.items():
        text = text.replace(token, f"<@{who.user_id}>")
    return {"msgtype": "markdown", "markdown": {"content": cut(text, WECOM_MARKDOWN_BYTES)}}


def dingtalk_message(text: str, mentions: dict[str, Someone]) -> dict[str, object]:
    """DingTalk: markdown whose text names each mentioned person as `@mobile` or `@userid`, listed in `at`."""
    for token, who in mentions.items():
        text = text.replace(token, f"@{who.mobile or who.user_id}")
    title = cut(text.split("\n", 1)[0], 60)
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": cut(text.replace("\n", "  \n"), DINGTALK_BYTES)},
        "at": {
            "atMobiles": [who.mobile for who in mentions.values() if who.mobile],
            "atUserIds": [who.user_id for who in mentions.values() if who.user_id and not who.mobile],
            "isAtAll": False,
        },
    }


def message(vendor: str, text: str, mentions: dict[str, Someone]) -> dict[str, object]:
    """One text post in the vendor's shape."""
    return wecom_message(text, mentions) if vendor == WECOM else dingtalk_message(text, mentions)


def wecom_file(media_id: str) -> dict[str, object]:
    """A WeCom file post (the file was uploaded first)."""
    return {"msgtype": "file", "file": {"media_id": media_id}}
