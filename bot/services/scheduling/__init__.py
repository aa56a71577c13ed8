"""Scheduling: alarms and deadline watches stored as rows, each posting claimed once."""
