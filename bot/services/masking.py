"""Masking customer data for group chats: 张*, 138****5678, a***@163.com; erased data shows as ⟨erased⟩."""

from __future__ import annotations

import re
from collections.abc import Callable

EMAIL = re.compile(r"^([^@]+)@(.+)$")
MOBILE = re.compile(r"^\d{11}$")
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?![0-9])")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
ERASED = "⟨erased⟩"
"""What stands where personal data was erased (/forget, retention): shown as is, never masked."""


def name(value: str) -> str:
    """Keep the family name (first character), hide the rest."""
    return value[:1] + "*" * max(1, len(value) - 1) if value else value


def phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a mobile number."""
    if MOBILE.match(value):
        return f"{value[:3]}****{value[-4:]}"
    return "*" * max(4, len(value) - 4) + value[-4:] if len(value) > 4 else "****"


def account(value: str) -> str:
    """An Alipay account: e-mail keeps first letter and domain, a phone number is masked as a phone."""
    match = EMAIL.match(value)
    if match:
        return f"{match.group(1)[:1]}***@{match.group(2)}"
    return phone(value)


def address(value: str) -> str:
    """Keep the region (first 6 characters), hide the street and house number."""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****"


def in_text(value: str) -> str:
    """Free text (a note, a reason) with any mobile number or e-mail address in it masked."""
    masked = MOBILE_IN_TEXT.sub(lambda found: phone(re.sub(r"\D", "", found[0])[-11:]), value)
    return EMAIL_IN_TEXT.sub(lambda found: account(found[0]), masked)


def _keeping_erased(mask: Callable[[str], str]) -> Callable[[str], str]:
    """A mask that leaves the erasure marker readable."""
    return lambda value: value if value == ERASED else mask(value)


MASKS: dict[str, Callable[[str], str]] = {
    key: _keeping_erased(mask)
    for key, mask in {
        "name": name,
        "phone": phone,
        "alipay": account,
        "address": address,
        "from": address,
        "to": address,
    }.items()
}
"""Which record fields are personal data, and how each is masked."""
PERSONAL_KEYS = frozenset({*MASKS, "buyer"})
"""What /forget and the retention period erase: the masked fields and the buyer's platform ID."""
