"""`manage.py import_roster`: the command's name before the rename, kept for existing scripts.

"Roster" now means duty shifts only (the `rosters` app); use `manage.py import_households`.
"""

from sanshe.people.management.commands.import_households import Command as ImportHouseholdsCommand


class Command(ImportHouseholdsCommand):
    help = "（旧名称，同 import_households）" + ImportHouseholdsCommand.help
