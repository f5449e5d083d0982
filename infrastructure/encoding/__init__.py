"""How values are written: into stored events, answers, JSON and times."""
