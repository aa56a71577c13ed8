"""Domain logic: parse, validate, store, query, permissions. No Telegram imports here."""
