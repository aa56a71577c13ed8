"""The team's monthly ledger of fines and rewards (奖惩)."""
