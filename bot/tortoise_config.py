"""The Tortoise config for the `tortoise` command-line tool (makemigrations, sqlmigrate, history)."""

from bot.config import Settings
from bot.db import tortoise_config

TORTOISE_ORM = tortoise_config(Settings().database_url)
