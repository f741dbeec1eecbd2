"""Tools for people editing ontology/ and shapes/: check, fmt, docs, coverage."""
