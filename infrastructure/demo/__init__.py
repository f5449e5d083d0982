"""The article's facts as seed data."""
