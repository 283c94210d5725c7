"""Storage: every read and write of the store, its schema, version and health."""
