"""The SQL the stores share: table definitions, and a dialect for each backend that renders and runs them."""
