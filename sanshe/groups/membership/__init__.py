"""Group membership: groups, members, invites, joining, duty."""
