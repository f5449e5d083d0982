"""Work on the whole ledger: export, import and rebuild."""
