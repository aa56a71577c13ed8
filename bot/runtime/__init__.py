"""Running the bot as a service: one leader and any number of standbys, polling or webhook, health and logs.

`runner.serve(settings, leadership)` is `python -m bot run`. On PostgreSQL the leader holds a session-level
advisory lock on a dedicated connection (`leadership.py`); on SQLite a file lock keeps a second process out,
taken before the heavy imports so the second process is told at once. The leader polls (in polling mode) and
runs the scheduler; every instance answers webhook calls (`webhook.py`) and `/healthz` (`health.py`).
"""
