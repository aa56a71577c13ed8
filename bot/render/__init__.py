"""Shared rendering for handlers and jobs: button data, keyboards, record cards, the chat's language."""
