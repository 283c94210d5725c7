"""The command wall: its figures, its map and its HTML."""
