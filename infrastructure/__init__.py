"""Everything around the domain, by role: write, read, auth, store, view, bulk, encoding, datasets."""
