"""Run every benchmark module against a fresh database: `python -m bench [name ...]`."""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def _prepare_environment() -> None:
    """Base settings on a separate SQLite file recreated each run (or DATABASE_URL), tasks run inline."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "sanshe.settings.base"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    if os.environ.get("DATABASE_URL"):
        print("注意：使用 DATABASE_URL 指向的数据库运行基准测试（会写入数据）。", flush=True)
        return
    var_dir = Path(os.environ.get("SANSHE_VAR_DIR", ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(path)


def _modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in BENCH_DIR.glob("*_bench.py"))
    if selected:
        unknown = [s for s in selected if s not in names and f"{s}_bench" not in names]
        if unknown:
            raise SystemExit(f"没有这些基准测试：{', '.join(unknown)}（可用：{', '.join(names)}）")
        names = [n for n in names if n in selected or n.removesuffix("_bench") in selected]
    return names


def main(argv: list[str]) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    names = _modules(argv)
    _prepare_environment()

    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}（迁移 {time.perf_counter() - started:.1f} 秒）",
          flush=True)
    if not names:
        print("没有基准测试模块（bench/*_bench.py）。")
        return 0
    failed = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        title = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        print(f"\n=== {name}{' — ' + title if title else ''} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"--- {name} 失败", flush=True)
        else:
            print(f"--- {name} 完成，用时 {time.perf_counter() - started:.1f} 秒", flush=True)
    if failed:
        print(f"\n失败的基准测试：{', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
