"""Group moderation: held messages, deletions, reports, warnings, mutes, removals, rule lists."""
