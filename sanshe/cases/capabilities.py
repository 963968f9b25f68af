"""Cases' part of the one scope (sanshe.core.gate): cases.* capabilities over places, and case assignees."""

from sanshe.core.gate import ScopePart

from .policies import build_cases_scope, is_resident, may_see_cases

SCOPE_PARTS = [
    ScopePart(
        "cases", build=build_cases_scope, namespaces=("cases",),
        # The case pages: social workers, and whoever holds an open assignment of a part of a case.
        checks={
            "cases.see": lambda user, scope: may_see_cases(user),
            # A resident asks for help (求助): anyone with a resident record.
            "cases.help": lambda user, scope: is_resident(user),
        },
        denials={"cases.see": "cases.manage"},
    ),
]
