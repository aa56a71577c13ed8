# kefu-bot: `docker compose up` starts PostgreSQL and two instances (see docs/deploy.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DATABASE_URL=sqlite:///data/kefu.sqlite3 \
    HEALTH_PORT=8080

# Chinese fonts for charts (the wheel pylopdf-fonts-zh-cn ships Noto Sans SC too; the system font is the fallback)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 --user-group kefu \
 && mkdir -p /data && chown kefu:kefu /data && chmod 0700 /data

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY bot ./bot
COPY handlers ./handlers
COPY jobs ./jobs
COPY migrations ./migrations

USER kefu
VOLUME ["/data"]
EXPOSE 8080 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"HEALTH_PORT\"]}/healthz', timeout=4)"
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
