"""Typed settings read from the environment or `.env`, so every component shares one source of truth."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Locale = Literal["en", "zh_CN"]
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_WECOM_API_BASE_URL = "https://qyapi.weixin.qq.com"
DEFAULT_DINGTALK_API_BASE_URL = "https://oapi.dingtalk.com"


class Settings(BaseSettings):
    """The deployment's configuration; names are a contract with other tools, so never rename them."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str | None = Field(default=None, validation_alias="BOT_TOKEN")
    telegram_api_base_url: str = Field(default=DEFAULT_API_BASE_URL, validation_alias="TELEGRAM_API_BASE_URL")
    database_url: str = Field(default="sqlite://data/kefu.sqlite3", validation_alias="DATABASE_URL")
    bot_owner_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias="BOT_OWNER_IDS"
    )
    bot_timezone: str = Field(default="Asia/Shanghai", validation_alias="BOT_TIMEZONE")
    bot_locale: Locale = Field(default="en", validation_alias="BOT_LOCALE")
    bot_rate_limit: bool = Field(default=True, validation_alias="BOT_RATE_LIMIT")
    """Keep Telegram's flood limits client-side; turn off only to measure raw throughput in benchmarks."""
    pii_retention_days: int | None = Field(default=None, ge=1, validation_alias="PII_RETENTION_DAYS")
    """Erase customer data of records closed, and follow-ups done, longer ago than this many days (a daily
    job); None keeps it."""
    bot_mode: Literal["polling", "webhook"] = Field(default="polling", validation_alias="BOT_MODE")
    """polling: the leader long-polls Telegram; webhook: every instance answers Telegram's HTTPS calls."""
    webhook_url: str | None = Field(default=None, validation_alias="WEBHOOK_URL")
    """The public URL Telegram calls in webhook mode; its path is the path the instances listen on."""
    webhook_listen: str = Field(default="0.0.0.0:8443", validation_alias="WEBHOOK_LISTEN")
    webhook_secret: str | None = Field(default=None, validation_alias="WEBHOOK_SECRET")
    """Telegram sends it in X-Telegram-Bot-Api-Secret-Token; a request without it is refused (403)."""
    health_port: int | None = Field(default=None, ge=1, le=65535, validation_alias="HEALTH_PORT")
    """GET /healthz on this port (all interfaces); None: no health server."""
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="LOG_FORMAT")
    leader_check_seconds: float = Field(default=2.0, gt=0, le=60, validation_alias="LEADER_CHECK_SECONDS")
    """How often a standby tries to become the leader (and the leader checks its lock connection)."""
    wecom_api_base_url: str = Field(default=DEFAULT_WECOM_API_BASE_URL, validation_alias="WECOM_API_BASE_URL")
    """Where WeCom group robots are reached (a private gateway or the tests' fake server may stand in)."""
    dingtalk_api_base_url: str = Field(
        default=DEFAULT_DINGTALK_API_BASE_URL, validation_alias="DINGTALK_API_BASE_URL"
    )
    """Where DingTalk custom robots are reached."""
    channel_secret_key: str | None = Field(default=None, validation_alias="CHANNEL_SECRET_KEY", repr=False)
    """Encrypts robot keys, tokens, secrets and mobiles at rest; without it /wecom and /dingtalk explain."""

    @field_validator("bot_owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept the comma-separated form people write in `.env`."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("pii_retention_days", mode="before")
    @classmethod
    def _retention_off(cls, value: object) -> object:
        """An empty value, `off` or 0 keeps personal data (the default)."""
        if isinstance(value, str) and value.strip().lower() in {"", "off", "0", "none"}:
            return None
        return None if value == 0 else value

    @field_validator("health_port", mode="before")
    @classmethod
    def _health_off(cls, value: object) -> object:
        """An empty value or `off` means no health server."""
        if isinstance(value, str) and value.strip().lower() in {"", "off", "0"}:
            return None
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        """Webhook mode needs the public URL and the secret, or anyone could post updates to the bot."""
        if self.bot_mode == "webhook" and not (self.webhook_url and self.webhook_secret):
            raise ValueError("BOT_MODE=webhook needs WEBHOOK_URL and WEBHOOK_SECRET")
        return self

    @property
    def webhook_address(self) -> tuple[str, int]:
        """WEBHOOK_LISTEN as (host, port)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]") or "0.0.0.0", int(port)

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Fail at start-up, not at the first alarm, when the zone name is misspelt."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("bot_locale", mode="before")
    @classmethod
    def _normalise_locale(cls, value: object) -> object:
        """Let people write `zh`, `zh-CN` or `zh_cn` for Simplified Chinese."""
        if isinstance(value, str) and value.replace("-", "_").lower() in {"zh", "zh_cn", "zh_hans"}:
            return "zh_CN"
        return value

    @property
    def api_base_file_url(self) -> str:
        """The file-download base that matches the API base (Telegram's or a self-hosted server's)."""
        base = self.telegram_api_base_url.rstrip("/")
        head, _, tail = base.rpartition("/")
        return f"{head}/file/{tail}" if tail.startswith("bot") else f"{base}/file/bot"
