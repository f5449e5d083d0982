"""Persistence, the application service, read models and import/export."""
