"""The ledger's entry points: the HTTP API and the `ledger` command line."""
