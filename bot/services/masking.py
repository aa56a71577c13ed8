"""Masking customer data for group chats: 张*, 138****5678, a***@163.com."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^([^@]+)@(.+)$")
MOBILE = re.compile(r"^\d{11}$")


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


MASKS = {"name": name, "phone": phone, "alipay": account, "address": address, "from": address, "to": address}
"""Which record fields are personal data, and how each is masked."""
