"""GET /healthz: the instance's role, whether the database answers, the mode and the age of the last update;
503 when the database does not answer, so a load balancer or Docker's HEALTHCHECK takes the instance out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web
from tortoise import Tortoise

from bot.runtime.logs import LAST_UPDATE_KEY

DATABASE_TIMEOUT = 2.0


async def database_ok() -> bool:
    """One `SELECT 1` through the ORM's pool within DATABASE_TIMEOUT."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT):
            await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:  # any failure means "down": the driver's errors vary with the cause
        return False
    return True


def health_app(role: Callable[[], str], mode: str, bot_data: dict[str, object]) -> web.Application:
    """The aiohttp application serving /healthz."""

    async def healthz(_request: web.Request) -> web.Response:
        """The instance's state as JSON; 200 when the database answers, else 503."""
        ok = await database_ok()
        last = bot_data.get(LAST_UPDATE_KEY)
        body = {
            "role": role(),
            "database": "ok" if ok else "down",
            "mode": mode,
            "last_update_s": round(time.monotonic() - last, 1) if isinstance(last, float) else None,
        }
        return web.json_response(body, status=200 if ok else 503)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    return app


async def start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve an aiohttp application on host:port; the caller cleans the returned runner up."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
