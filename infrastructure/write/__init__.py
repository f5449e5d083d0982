"""The write side: the eventsourcing Application that loads, commands and saves."""
