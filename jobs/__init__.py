"""Scheduled work; schedules live in the database and are re-registered at start."""
