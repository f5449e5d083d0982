"""Everything around the domain, by role: write, read, auth, store, view, sql, bulk, encoding, datasets."""
