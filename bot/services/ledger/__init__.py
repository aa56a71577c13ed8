"""Fines and rewards (奖惩): the team fund's book, named fixed amounts, appeals and the monthly totals."""
