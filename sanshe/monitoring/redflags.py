"""Moved to `sanshe.rules.redflags` (the rules layer, sanshe/rules/). Kept for monitoring/notify.py until the notify layer lands.

This old path is the same module object (aliased in sys.modules), so its importers and patches keep working.
"""

import sys
from importlib import import_module

sys.modules[__name__] = import_module("sanshe.rules.redflags")
