"""Ontology tables (ACLED, CAMEO, PLOVER) shipped as package data, and lookups over them."""
