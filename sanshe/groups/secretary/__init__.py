"""The secretary's tools in a group."""
