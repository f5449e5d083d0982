"""The data sets shipped with the ledger: the article's story and sourced histories."""
