"""Fake Telegram Bot API server for offline end-to-end tests, the shell and benchmarks."""

from bot.fakeapi.server import ApiCall, FakeBotApi

__all__ = ["ApiCall", "FakeBotApi"]
