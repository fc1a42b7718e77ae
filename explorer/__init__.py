"""Timeline Explorer: who did what, when, and on whose word."""

__version__ = "0.1.0"
