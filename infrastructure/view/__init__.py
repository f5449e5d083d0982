"""The bitemporal status view: its tables, how rows are made, written and read."""
