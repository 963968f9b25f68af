"""How the audit log page names the directory's actors (collected by sanshe.core.features)."""

from .responsible import staff_ids

# The actors whose names the audit log shows unmasked: staff. A resident's display name is their real name,
# so it is masked there like any resident's name on staff lists.
AUDIT_STAFF_ACTORS = staff_ids
