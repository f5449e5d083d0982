"""Answers to every question of the design, from the view or by replaying the events."""
