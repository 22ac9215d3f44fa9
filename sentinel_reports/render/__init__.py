"""Rendering: Jinja environment, markdown, charts and page builders. Returns strings and bytes; no file I/O."""
