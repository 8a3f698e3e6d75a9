"""Campaign checklists and deadlines kept as TOML files."""

__version__ = "0.1.0"
