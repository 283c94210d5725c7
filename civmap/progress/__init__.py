"""Rectification progress: status timelines, tallies, ranks, charts and the CLI."""
