"""Benchmarks (`make bench`): each `bench/<name>_bench.py` module has a `main()` that prints its figures.

`python -m bench` prepares a throw-away database (var/bench.sqlite3, recreated each run, unless
DATABASE_URL is set), migrates it, then runs every bench module in name order. Benchmarks print
figures and ratios; they are not tests and assert nothing about speed.
"""
