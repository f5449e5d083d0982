"""The event store's recorders, which write the view and kept answers with the events."""
