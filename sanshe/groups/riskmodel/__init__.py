"""Moved to sanshe.rules.chatrisk; the modules here are aliases of it, kept while groups is being split."""
