"""Sentinel Reports: weekly briefs, an honest status page and reliability decks from the exports you have."""

__version__ = "0.1.0"
