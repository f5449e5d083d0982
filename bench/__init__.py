"""Benchmarks: a synthetic ledger and one command that measures it against baselines."""
