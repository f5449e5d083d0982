"""The Recognition Ledger's domain: facts, rules and status, free of I/O."""
