"""`manage.py import_households`: the same checks as the page, Chinese errors, exit status for scripts."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from sanshe.people.models import ImportJob, ImportStatus, Person
from tests.people.household_sheet_files import bad_check_digit, person_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(*args) -> int:
    try:
        call_command("import_households", *[str(a) for a in args])
    except SystemExit as exit_:
        return exit_.code
    return 0


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([person_row(1, name="命令甲"), person_row(2, name="命令乙", relation="配偶")]))
    return path


@pytest.fixture
def bad_file(tmp_path):
    rows = [person_row(1, name="命令甲"), person_row(2, name="命令乙")]
    rows[1][2] = bad_check_digit(rows[1][2])
    path = tmp_path / "有问题的名册.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    return path


def test_dry_run_of_a_clean_file_exits_0_and_imports_nothing(world, community_worker, good_file, capsys,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code = run(good_file, "--community", world.home.code, "--dry-run", "--as", community_worker.username)
    assert code == 0
    out = capsys.readouterr()
    assert "共 2 行：可导入 2 行，有问题 0 行" in out.out and "没有导入" in out.out
    assert not Person.objects.filter(name__startswith="命令").exists()
    assert not ImportJob.objects.get().file  # nothing left on disk


def test_dry_run_with_errors_exits_1_and_prints_them_in_chinese(world, community_worker, bad_file, capsys):
    assert run(bad_file, "--community", world.home.code, "--dry-run", "--as", community_worker.username) == 1
    err = capsys.readouterr().err
    assert "第3行【身份证号】身份证号校验位错误，请核对" in err


def test_import_of_a_clean_file_exits_0(world, community_worker, good_file, capsys):
    assert run(good_file, "--community", world.home.code, "--as", community_worker.username) == 0
    assert "已导入 2 人" in capsys.readouterr().out
    assert Person.objects.filter(name__startswith="命令").count() == 2
    assert ImportJob.objects.get().status == ImportStatus.DONE


def test_import_with_errors_imports_the_valid_rows_and_exits_1(world, community_worker, bad_file, capsys):
    assert run(bad_file, "--community", world.home.code, "--as", community_worker.username) == 1
    assert list(Person.objects.filter(name__startswith="命令").values_list("name", flat=True)) == ["命令甲"]
    assert "另有 1 行有问题，没有导入" in capsys.readouterr().err


def test_all_or_nothing_with_errors_imports_nothing(world, community_worker, bad_file):
    assert run(bad_file, "--community", world.home.code, "--all-or-nothing", "--as", community_worker.username) == 1
    assert not Person.objects.filter(name__startswith="命令").exists()


def test_a_file_that_is_not_a_spreadsheet_exits_1(world, community_worker, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_text("这其实是一个文本文件")
    assert run(path, "--community", world.home.code, "--as", community_worker.username) == 1
    assert "内容不是Excel表格" in capsys.readouterr().err


def test_wrong_command_lines_exit_2(world, community_worker, medic, good_file):
    for args in [("/no/such/file.xlsx", "--community", world.home.code, "--as", community_worker.username),
                 (good_file, "--community", "NOPE", "--as", community_worker.username),
                 (good_file, "--community", world.home.code, "--as", "nobody"),
                 (good_file, "--community", world.away.code, "--as", community_worker.username),
                 (good_file, "--community", world.home.code, "--as", medic.username)]:
        with pytest.raises(CommandError) as caught:
            call_command("import_households", *[str(a) for a in args])
        assert caught.value.returncode == 2
    assert not Person.objects.filter(name__startswith="命令").exists()


def test_the_old_command_name_still_imports(world, community_worker, good_file, capsys):
    """`import_roster` (the name before "roster" came to mean duty shifts only) runs the same import."""
    call_command("import_roster", str(good_file), "--community", world.home.code, "--as", community_worker.username)
    assert "已导入 2 人" in capsys.readouterr().out
    assert Person.objects.filter(name__startswith="命令").count() == 2
