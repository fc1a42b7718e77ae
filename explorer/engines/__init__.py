"""Backends that answer the views' questions from data that is not held in memory."""
