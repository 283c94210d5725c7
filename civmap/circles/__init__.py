"""Key point-circles: membership, state, tables, map and the CLI."""
