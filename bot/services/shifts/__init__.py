"""Shifts: shift types, the roster, swaps and the handover book."""
