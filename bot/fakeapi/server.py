"""The fake Telegram Bot API server: one mixin per API area, composed so the real PTB can run offline."""

from __future__ import annotations

from bot.fakeapi.callbacks import CallbacksApi
from bot.fakeapi.edits import EditsApi
from bot.fakeapi.injection import InjectionApi
from bot.fakeapi.profile import ProfileApi
from bot.fakeapi.reactions import ReactionsApi
from bot.fakeapi.robots import RobotsApi
from bot.fakeapi.state import ApiCall

__all__ = ["ApiCall", "FakeBotApi"]


class FakeBotApi(InjectionApi, CallbacksApi, EditsApi, ReactionsApi, ProfileApi, RobotsApi):
    """Imitates the Telegram Bot API over real HTTP so end-to-end tests exercise real PTB.

    Areas: core (HTTP, faults, limits), chats, files, updates, messages, edits, reactions, callbacks,
    profile, injection (the test-facing helpers) and robots (WeCom and DingTalk); see each module.
    """
