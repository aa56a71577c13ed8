"""Rotations: review groups 1–4 that members rotate through, and escalating review cases."""
