"""The group chat: one renderer of a message, and one protocol for the socket and its HTTP fallback."""
