"""Updates of the fake Bot API: the queue, getUpdates long polling, webhook set/delete/info."""

from __future__ import annotations

import time

from bot.fakeapi.core import ServerCore
from bot.fakeapi.params import str_param
from bot.fakeapi.state import ApiError, JSONDict


class UpdatesApi(ServerCore):
    """Queues injected updates and hands them out with Telegram's offset/limit/timeout semantics."""

    def _init_state(self) -> None:
        """Empty queue, nothing confirmed, no webhook."""
        super()._init_state()
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._poll_generation = 0
        self._get_updates_seen = False
        self._webhook_url = ""

    def _queue(self, update: JSONDict) -> JSONDict:
        """Assign an update_id if needed, queue it and wake long polls."""
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._updates_sig().notify()
        return update

    def raw_update(self, update: JSONDict) -> JSONDict:
        """Queue an arbitrary update dict (update_id assigned if missing)."""
        return self._queue(update)

    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by the bot."""
        return list(self._updates)

    async def processed(self, update: JSONDict, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed the update (a later getUpdates had a higher offset).

        An update Telegram would not have delivered (privacy mode) has no update_id: nothing to wait for.
        """
        if "update_id" not in update:
            return
        update_id = int(update["update_id"])
        deadline = time.monotonic() + timeout
        signal = self._calls_sig()
        while self._confirmed_offset <= update_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                polled = "has polled" if self._get_updates_seen else "has NEVER called getUpdates"
                raise TimeoutError(
                    f"update {update_id} not confirmed within {timeout}s: bot {polled}; "
                    f"confirmed offset={self._confirmed_offset}, "
                    f"pending={[u['update_id'] for u in self._updates]} "
                    "(is the Updater polling against this FakeBotApi?)"
                )
            await signal.wait(remaining)

    def _confirm(self, offset: int) -> None:
        """Drop updates below offset and remember the confirmation for processed()."""
        if offset > self._confirmed_offset:
            self._confirmed_offset = offset
        self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        self._calls_sig().notify()

    def _drop_pending(self, params: JSONDict) -> None:
        """drop_pending_updates of setWebhook/deleteWebhook: confirm everything queued."""
        if params.get("drop_pending_updates") and self._updates:
            self._confirm(int(self._updates[-1]["update_id"]) + 1)

    async def _api_get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling with Telegram's offset/limit/timeout semantics."""
        self._get_updates_seen = True
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) and not isinstance(offset, bool) else 0
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, (int, float)) else 0.0
        wait = min(max(wait, 0.0), 50.0)
        if offset > 0:
            self._confirm(offset)
        elif offset < 0:
            keep = self._updates[offset:]
            if keep:
                self._confirm(int(keep[0]["update_id"]))
        self._poll_generation += 1
        generation = self._poll_generation
        signal = self._updates_sig()
        signal.notify()  # a newer poll terminates older waiting ones (409 like Telegram)
        deadline = time.monotonic() + wait
        while True:
            if self._updates or self._closing:
                return self._updates[:limit]
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await signal.wait(remaining)

    def _api_delete_webhook(self, params: JSONDict) -> bool:
        """Remove the webhook; drop_pending_updates clears the queue."""
        self._webhook_url = ""
        self._drop_pending(params)
        return True

    def _api_set_webhook(self, params: JSONDict) -> bool:
        """Remember the URL (getUpdates then answers 409 like Telegram)."""
        self._webhook_url = str_param(params, "url") or ""
        self._drop_pending(params)
        return True

    def _api_get_webhook_info(self, params: JSONDict) -> JSONDict:
        """WebhookInfo with the pending update count."""
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
