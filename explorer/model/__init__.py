"""The event model: pandas tables and numpy indexes, no Qt widgets (tests enforce it)."""
