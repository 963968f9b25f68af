"""The rules layer: clinical rules as pure modules — plain functions over plain data, no ORM, no models.

Red flags of a check-in (`redflags`), screening scales (`scales`), needs (`needs`), the triage tier rules and
their question schema (`triage`, `triage_schema`), and chat risk detection (`chatrisk`). Each cites its
source in its docstring. Features import these; these import only the kernel (and Django's translation).
The import contract in pyproject.toml (`lint-imports`, part of `make lint`) keeps it so.
"""
