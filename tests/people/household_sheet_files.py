"""Build household sheet files in tests the way communities make them (openpyxl for .xlsx, csv for .csv)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from sanshe.core.identity import resident_id_check_char

HEADERS = ["姓名", "性别", "身份证号", "手机号", "小区", "楼栋", "单元", "房号", "与户主关系"]


def household_sheet_id(seq: int, birth: str = "19850315", region: str = "110105") -> str:
    """A valid resident ID, unique per seq (up to 999 per birth date)."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def bad_check_digit(number: str) -> str:
    """The same ID with a wrong check character."""
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def sex_of(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def person_row(seq: int, *, name: str = "王小明", building: str = "1栋", unit: str = "1单元", room: str = "101",
               relation: str = "户主", compound: str = "锦绣小区", phone: str | None = None) -> list:
    number = household_sheet_id(seq)
    return [name, sex_of(number), number, phone if phone is not None else f"139{seq:08d}", compound, building,
            unit, room, relation]


def xlsx_bytes(rows: list[list], *, headers: list[str] | None = HEADERS, title: str | None = None,
               merge: list[str] = (), sheet_name: str = "Sheet1") -> bytes:
    if not title and not merge:  # big files: the streaming writer is several times faster
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_name)
        if headers:
            sheet.append(headers)
        for row in rows:
            sheet.append(row)
        handle = io.BytesIO()
        workbook.save(handle)
        return handle.getvalue()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers or HEADERS))
    if headers:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for span in merge:
        sheet.merge_cells(span)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def csv_bytes(rows: list[list], *, headers: list[str] = HEADERS, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
