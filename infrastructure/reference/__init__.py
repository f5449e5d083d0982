"""Reference data: who may act."""
