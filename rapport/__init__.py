"""Rapport: relationship marketing for embedded librarians."""

__version__ = "0.1.0"
