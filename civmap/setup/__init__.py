"""An office's set-up of its own city, stage by stage."""
