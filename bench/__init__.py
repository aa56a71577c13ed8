"""Benchmarks (not tests): run the real bot as a subprocess against the fake Bot API and print figures."""
