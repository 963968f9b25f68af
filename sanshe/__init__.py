"""Sanshe (三社): a community's online epidemic response platform."""
