"""Readers and writers per format; every reader raises only ReadError. No Qt widgets."""
