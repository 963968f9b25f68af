"""The chat risk detector as a concept model (see sanshe.groups.risk for the public import)."""
