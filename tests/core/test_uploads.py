"""Untrusted uploads are parsed in a child process with limits: what goes wrong there is a clean error here."""

from __future__ import annotations

import os

import pytest

from sanshe.core.uploads import (
    ParseLimits,
    SheetLimits,
    UntrustedFileError,
    image_clean,
    parse_untrusted,
    spreadsheet_check,
)
from tests.core.crafted_files import far_cell_xlsx, png_declaring, xlsx, zip_bomb_xlsx

SMALL = ParseLimits(memory_bytes=512 * 1024 * 1024, cpu_seconds=2, timeout_seconds=120)
SHEETS = SheetLimits(max_cells=5_000_000, max_unzipped_bytes=300 * 1024 * 1024, max_zip_ratio=100)


def child_pid() -> int:
    return os.getpid()


def child_allocates(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def child_spins() -> None:
    while True:
        pass


def child_refuses() -> None:
    raise UntrustedFileError("表格有问题", "range")


def test_the_parser_runs_in_another_process_and_its_result_comes_back():
    assert parse_untrusted(child_pid, limits=SMALL) != os.getpid()
    assert parse_untrusted(child_allocates, 1, limits=SMALL) == 1024 * 1024


def test_an_error_the_parser_raises_comes_back_as_it_was():
    with pytest.raises(UntrustedFileError) as caught:
        parse_untrusted(child_refuses, limits=SMALL)
    assert (caught.value.message, caught.value.code) == ("表格有问题", "range")


def test_a_child_over_its_memory_limit_is_a_clean_error_and_this_process_goes_on():
    with pytest.raises(UntrustedFileError, match="内存超过了上限") as caught:
        parse_untrusted(child_allocates, 2048, limits=SMALL)
    assert caught.value.code == "memory"
    assert parse_untrusted(child_allocates, 1, limits=SMALL) == 1024 * 1024  # the next file is read as usual


def test_a_child_over_its_cpu_limit_is_stopped_with_a_clean_error():
    with pytest.raises(UntrustedFileError, match="超时") as caught:
        parse_untrusted(child_spins, limits=ParseLimits(memory_bytes=512 * 1024 * 1024, cpu_seconds=1,
                                                        timeout_seconds=120))
    assert caught.value.code == "time"


def test_a_zip_bomb_is_refused_before_it_is_unzipped():
    data = zip_bomb_xlsx()
    assert len(data) < 64 * 1024
    with pytest.raises(UntrustedFileError, match="压缩炸弹") as caught:
        spreadsheet_check(data, SHEETS)
    assert caught.value.code == "zip_bomb"
    with pytest.raises(UntrustedFileError, match="解压后太大"):
        spreadsheet_check(data, SheetLimits(max_cells=5_000_000, max_unzipped_bytes=1024 * 1024, max_zip_ratio=10**6))


def test_a_sheet_whose_dimension_reaches_xfd1048576_is_refused_before_any_cell_is_read():
    with pytest.raises(UntrustedFileError, match="XFD1048576") as caught:
        spreadsheet_check(far_cell_xlsx(), SHEETS)
    assert caught.value.code == "range"
    spreadsheet_check(xlsx({"A1": "姓名", "L500": "x"}, dimension="A1:L500"), SHEETS)  # an ordinary sheet passes


def test_cells_that_only_carry_formatting_do_not_count_against_the_limit():
    """Borders drawn down to row 900000 make the dimension A1:J900000 (9 million cells), but readers skip such
    cells: the file is not refused for them, only for content that really reaches that far."""
    spreadsheet_check(xlsx({"A1": "姓名", "B2": "王小明"}, dimension="A1:J900000", formatted=("J900000",)), SHEETS)
    with pytest.raises(UntrustedFileError, match="J900000"):
        spreadsheet_check(xlsx({"A1": "姓名", "J900000": "x"}, dimension="A1:J900000"), SHEETS)


def test_a_picture_declaring_50000_by_50000_pixels_is_refused_before_decoding():
    with pytest.raises(UntrustedFileError, match="尺寸过大") as caught:
        parse_untrusted(image_clean, png_declaring(50_000, 50_000), formats=("PNG",), max_pixels=40_000_000,
                        max_side=2560, limits=SMALL)
    assert caught.value.code == "too_large"
