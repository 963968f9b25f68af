"""Moved to `sanshe.rules.chatrisk` (the rules layer, sanshe/rules/). Kept while the groups app is being split into sub-packages.

This old path is the same module object (aliased in sys.modules), so its importers and patches keep working.
"""

import sys
from importlib import import_module

sys.modules[__name__] = import_module("sanshe.rules.chatrisk")
