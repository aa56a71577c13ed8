"""Digests: the daily tables for finance, the warehouse and supervisors, and finance's answers."""
