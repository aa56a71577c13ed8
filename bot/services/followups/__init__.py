"""Follow-ups (回访): whose customer, whose follow-up; the morning list, the phone stage, the silent rota."""
