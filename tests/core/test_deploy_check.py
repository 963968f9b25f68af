"""With production variables set, `manage.py check --deploy` has nothing to report."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SANSHE_", "PYTEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "sanshe.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": f"{secrets.token_urlsafe(32)},{secrets.token_urlsafe(32)}",
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "sanshe.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://sanshe.example.org",
        "HTTPS": "1",
        "DATABASE_URL": "postgres://sanshe:secret@db.internal:5432/sanshe",
        "REDIS_URL": "redis://cache.internal:6379/0",
        # A real SMS gateway: the console backend is refused in production (sanshe.E001 below).
        "SMS_BACKEND": "sanshe.accounts.sms.HttpSmsBackend",
        "SMS_WEBHOOK_URL": "https://sms.internal/send",
        # A directory of its own: the check must not depend on the laptop secrets kept in var/.
        "SANSHE_VAR_DIR": str(tmp_path),
    })
    env.update(extra)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr
    # Production keys come from the environment only: nothing was generated into the var directory.
    assert not (tmp_path / "local-secrets.json").exists()


def test_check_deploy_flags_a_debug_deployment(tmp_path):
    """The check is real: the same settings with DEBUG on are reported."""
    result = _check_deploy(_production_env(tmp_path, DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_check_deploy_refuses_the_console_sms_backend(tmp_path):
    """Left at its default, SMS would print codes to the log instead of texting residents."""
    env = _production_env(tmp_path)
    del env["SMS_BACKEND"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "sanshe.E001" in result.stderr and "ConsoleSmsBackend" in result.stderr


def test_check_deploy_wants_the_webhook_address(tmp_path):
    result = _check_deploy(_production_env(tmp_path, SMS_WEBHOOK_URL=""))
    assert result.returncode != 0 and "sanshe.E003" in result.stderr
