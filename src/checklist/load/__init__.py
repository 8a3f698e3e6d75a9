"""Bytes on disk to a checked campaign and its units."""
