"""One grammar for dates, times, periods and repeats, in English and Chinese: words → a rule → fire times.

Phase 1 of the "time the way the team says it" work: commands still use the old parsers until they switch.
"""
