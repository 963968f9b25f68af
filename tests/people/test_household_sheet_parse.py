"""Reading and checking household sheets (pure: no database). Every error names the Excel row, the column and why."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from sanshe.people.household_sheet import (
    HouseholdSheetFileError,
    read_household_sheet,
    validate_household_sheet,
)
from tests.people.household_sheet_files import (
    HEADERS,
    bad_check_digit,
    csv_bytes,
    household_sheet_id,
    person_row,
    xlsx_bytes,
)


def check(data: bytes, file_name: str = "名册.xlsx"):
    return validate_household_sheet(read_household_sheet(data, file_name=file_name))


def errors_of(result) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


def file_error(data: bytes, file_name: str = "名册.xlsx", **kwargs) -> str:
    with pytest.raises(HouseholdSheetFileError) as caught:
        validate_household_sheet(read_household_sheet(data, file_name=file_name, **kwargs))
    return caught.value.errors[0].reason


def test_a_clean_sheet_gives_normalised_rows():
    rows = [person_row(1), person_row(2, name="李芳", relation="妻子", phone="+86 139 0000 0002")]
    result = check(xlsx_bytes(rows))
    assert result.errors == []
    assert result.total_rows == 2
    first, second = result.rows
    assert (first.row, first.name, first.relation, first.building, first.unit, first.room) == (
        2, "王小明", "head", "1栋", "1单元", "101")
    assert first.birth_date.isoformat() == "1985-03-15"
    assert second.relation == "spouse"
    assert second.phone == "13900000002"


def test_bad_id_check_digit_is_reported_by_row_and_column():
    rows = [person_row(1), person_row(2)]
    rows[1][2] = bad_check_digit(rows[1][2])
    result = check(xlsx_bytes(rows))
    assert errors_of(result) == [(3, "身份证号", "身份证号校验位错误，请核对")]
    assert [r.row for r in result.rows] == [2]


def test_reasons_never_repeat_the_number_that_was_typed():
    rows = [person_row(1, phone="12345678901"), person_row(2)]
    rows[1][2] = bad_check_digit(rows[1][2])
    result = check(xlsx_bytes(rows))
    text = " ".join(e.reason for e in result.errors)
    assert "12345678901" not in text and rows[1][2] not in text and rows[1][2][:10] not in text


def test_bad_phone_is_reported():
    result = check(xlsx_bytes([person_row(1, phone="1381234567")]))
    assert errors_of(result) == [(2, "手机号", "手机号应为11位中国大陆手机号（1开头，第二位为3-9）")]


def test_missing_building_is_reported_for_that_row():
    result = check(xlsx_bytes([person_row(1), person_row(2, building="")]))
    assert errors_of(result) == [(3, "楼栋", "楼栋未填写")]


def test_a_missing_required_column_stops_the_file_and_says_which():
    headers = [h for h in HEADERS if h != "楼栋"]
    rows = [[v for i, v in enumerate(person_row(1)) if HEADERS[i] != "楼栋"]]
    with pytest.raises(HouseholdSheetFileError) as caught:
        read_household_sheet(xlsx_bytes(rows, headers=headers), file_name="名册.xlsx")
    (error,) = caught.value.errors
    assert (error.row, error.column) == (1, "楼栋")
    assert "缺少必填列“楼栋”" in error.reason and "楼号" in error.reason


def test_no_header_at_all():
    reason = file_error(xlsx_bytes([["a", "b", "c"], ["1", "2", "3"]], headers=None))
    assert reason.startswith("找不到表头")


def test_the_same_person_twice_in_the_file():
    rows = [person_row(1), person_row(2), person_row(1, name="王小明")]
    result = check(xlsx_bytes(rows))
    assert errors_of(result) == [(4, "身份证号", "重复人员：与第2行的证件号码相同（同一人只能登记一次）")]
    assert len(result.rows) == 2


def test_merged_cells_in_the_data_are_errors_naming_the_range():
    rows = [person_row(1), person_row(2, building=""), person_row(3, building="")]
    result = check(xlsx_bytes(rows, merge=["F2:F4"]))
    assert errors_of(result) == [(2, "楼栋", "合并单元格 F2:F4（第2至4行），请取消合并，并在每一行填上完整内容")]
    assert result.rows == []  # every row under the merge is left out, not guessed


def test_a_merged_title_above_the_header_is_fine():
    result = check(xlsx_bytes([person_row(1)], title="锦绣小区住户花名册"))
    assert result.errors == []
    assert result.rows[0].row == 3  # rows are numbered as Excel shows them


def test_an_empty_sheet():
    workbook = Workbook()
    handle = io.BytesIO()
    workbook.save(handle)
    assert file_error(handle.getvalue()) == "表格是空的：工作表“Sheet”中没有任何内容"


def test_a_header_without_data():
    assert file_error(xlsx_bytes([])).startswith("表格中只有表头，没有人员数据")


def test_a_renamed_text_file_is_not_an_excel_table():
    reason = file_error("姓名,楼栋\n张三,1栋\n".encode(), "名册.xlsx")
    assert "内容不是Excel表格" in reason and "另存为" in reason


def test_a_renamed_pdf():
    assert file_error(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "名册.xlsx").startswith("这是一个PDF文件")


def test_a_broken_zip_named_xlsx():
    assert "不是有效的Excel表格" in file_error(b"PK\x03\x04" + b"\x00" * 200, "名册.xlsx")


def test_too_large_a_file():
    data = xlsx_bytes([person_row(1)])
    reason = file_error(data, max_bytes=len(data) - 1)
    assert reason.startswith("文件太大")


def test_too_many_rows():
    data = csv_bytes([person_row(i) for i in range(5)])
    with pytest.raises(HouseholdSheetFileError) as caught:
        read_household_sheet(data, file_name="名册.csv", max_rows=3)
    assert caught.value.errors[0].reason.startswith("行数太多：共5行")


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gb18030", False)])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(encoding, bom):
    rows = [person_row(1, name="欧阳娜娜", compound="翡翠湾小区"), person_row(2, name="𠮷祥", relation="女儿")]
    result = check(csv_bytes(rows, encoding=encoding, bom=bom), "名册.csv")
    assert result.errors == []
    assert [r.name for r in result.rows] == ["欧阳娜娜", "𠮷祥"]
    assert result.rows[0].compound == "翡翠湾小区"
    assert result.rows[1].relation == "child"


def test_headers_may_be_spelled_differently_and_marked_required():
    headers = ["序号", "姓名*", "身份证号码", "联系电话", "小区名称", "楼号", "单元号", "门牌号", "与户主的关系"]
    number = household_sheet_id(7)
    result = check(xlsx_bytes([["1", "赵强", number, "13900000007", "锦绣小区", "3", "2", "302", "本人"]],
                              headers=headers))
    assert result.errors == []
    row = result.rows[0]
    assert (row.building, row.unit, row.room, row.relation) == ("3栋", "2单元", "302", "head")


def test_an_id_stored_as_a_number_by_excel_is_explained():
    row = person_row(1)
    row[2] = float(row[2][:17] + "0")  # what Excel keeps of an 18-digit number
    result = check(xlsx_bytes([row]))
    assert errors_of(result) == [(2, "身份证号", "身份证号被Excel存成了数字，末尾几位已丢失。请把该列设为“文本”格式后重新输入")]


def test_sex_that_contradicts_the_id():
    row = person_row(1)
    row[1] = "女" if row[1] == "男" else "男"
    result = check(xlsx_bytes([row]))
    assert result.errors[0].column == "性别"
    assert result.errors[0].reason.startswith("性别与身份证号不符")


def test_unknown_relation_is_explained():
    result = check(xlsx_bytes([person_row(1, relation="邻居")]))
    assert result.errors[0].column == "与户主关系"
    assert result.errors[0].reason.startswith("无法识别的与户主关系")


def test_the_template_example_row_left_in_is_refused():
    from sanshe.people.household_sheet import EXAMPLE_DOC_NUMBER, EXAMPLE_NAME

    row = [EXAMPLE_NAME, "女", EXAMPLE_DOC_NUMBER, "13800000000", "锦绣小区", "3栋", "2单元", "302", "户主"]
    result = check(xlsx_bytes([row, person_row(1)]))
    assert errors_of(result) == [(2, "姓名", "这是模板中的示例行，请删除后再导入")]


def test_blank_lines_are_skipped_and_rows_keep_their_excel_numbers():
    rows = [person_row(1), [""] * 9, person_row(2, building="")]
    result = check(xlsx_bytes(rows))
    assert result.total_rows == 2
    assert errors_of(result) == [(4, "楼栋", "楼栋未填写")]
