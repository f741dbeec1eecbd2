"""Semantics of the asserted graph: OWL 2 RL reasoning and SHACL validation."""
