"""Releases: their layout in the data directory, the store they are read from, dumps."""
