"""Writing household sheet workbooks with openpyxl: the import template, the error list and people exports.

Every text cell goes through `safe_text`: a value starting with = + - @ or a tab/carriage return would be
taken as a formula by Excel or WPS (CSV/formula injection), so it gets a leading apostrophe and is stored
as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sanshe.core.pii import birth_year
from sanshe.core.spreadsheets import safe_text

from .choices import HOUSEHOLD_SHEET_HEADERS, Category, DocumentType, PopulationLevel, Relation, Sex
from .household_sheet import (
    EXAMPLE_DOC_NUMBER,
    EXAMPLE_NAME,
    FIELD_ORDER,
    NO_UNIT,
    REQUIRED_FIELDS,
    canonical_header,
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E6F4EE")
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF8C5")


def _text_cell(sheet, value, *, bold: bool = False):
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never "f", whatever the text looks like
        cell.number_format = "@"
    if bold:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    return cell


# ---------------------------------------------------------------------------------------------- template

_TEMPLATE_HELP = {
    "name": gettext_lazy("必填。"),
    "sex": gettext_lazy("选填：男 / 女。填了身份证号可不填，会自动按身份证号判断，填了则必须一致。"),
    "doc_type": gettext_lazy("选填，不填即为居民身份证。可填：%(values)s。"),
    "doc_number": gettext_lazy("选填，但建议填写：用于防止同一人重复登记。身份证号18位，末位可以是X。"
                               "本列已设为文本格式，请勿改成数字格式（Excel会丢掉后几位）。"),
    "phone": gettext_lazy("选填：11位手机号，可带+86或空格。"),
    "compound": gettext_lazy("必填：小区名称，与系统中的写法一致；系统中没有的小区会新建。"),
    "building": gettext_lazy("必填：如 3栋、12号楼；只写数字3会记为“3栋”。"),
    "unit": gettext_lazy("选填：如 2单元；只写数字2会记为“2单元”；不填即为“%(no_unit)s”。"),
    "room": gettext_lazy("必填：房号，如 302。"),
    "relation": gettext_lazy("选填：户主、配偶、子女、父母、兄弟姐妹、祖父母、孙子女、儿媳/女婿、其他亲属、租户、其他。不填记为“其他”。"
                             "户主会被设为本户在居民群的代表。"),
    "category": gettext_lazy("选填，不填即为社区居民。可填：%(values)s。"),
    "address": gettext_lazy("选填：详细地址（加密保存）。"),
}


def _example() -> dict[str, str]:
    """The template's example row (recognised and refused by the importer if it is left in)."""
    return {
        "name": EXAMPLE_NAME, "sex": "女", "doc_type": str(DocumentType.RESIDENT_ID.label),
        "doc_number": EXAMPLE_DOC_NUMBER, "phone": "13800000000", "compound": "锦绣小区", "building": "3栋",
        "unit": "2单元", "room": "302", "relation": str(Relation.HEAD.label),
        "category": str(Category.RESIDENT.label), "address": "",
    }


def write_template(handle: IO[bytes]) -> None:
    """The import template: a household sheet sheet with the headers and one example row, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("人员名册")
    example_row = _example()
    for col, name in enumerate(FIELD_ORDER, start=1):
        cell = sheet.cell(row=1, column=col, value=canonical_header(name))
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if name in REQUIRED_FIELDS else _HEADER_FILL
        example = sheet.cell(row=2, column=col, value=example_row[name])
        example.number_format = "@"
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = {"doc_number": 22, "phone": 15, "address": 30,
                                                 "compound": 14, "relation": 12}.get(name, 10)
        if name in {"doc_number", "phone", "room", "unit", "building"}:
            # Text format for the whole column, so Excel keeps all 18 digits of an ID number.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(3, 1002):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.freeze_panes = "A2"
    choices = {
        "sex": [str(Sex.MALE.label), str(Sex.FEMALE.label)],
        "doc_type": [str(label) for label in DocumentType.labels],
        "category": [str(label) for label in Category.labels],
    }
    for name, values in choices.items():
        letter = sheet.cell(row=1, column=FIELD_ORDER.index(name) + 1).column_letter
        listing = ",".join(values)
        if len(listing) < 250:  # Excel's limit for an inline list
            validation = DataValidation(type="list", formula1=f'"{listing}"', allow_blank=True)
            validation.error = _("请从下拉列表中选择")
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5000")

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("填写说明"), _("也可以写作")])
    for cell in notes[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    fill_in = {
        "doc_type": {"values": "、".join(str(label) for label in DocumentType.labels)},
        "category": {"values": "、".join(str(label) for label in Category.labels)},
        "unit": {"no_unit": NO_UNIT},
    }
    for name in FIELD_ORDER:
        text = str(_TEMPLATE_HELP[name])
        if name in fill_in:
            text = text % fill_in[name]
        notes.append([canonical_header(name), _("必填") if name in REQUIRED_FIELDS else _("选填"), text,
                      "、".join(HOUSEHOLD_SHEET_HEADERS[name][1:])])
    notes.append([])
    for line in (
        _("1. 第一行是列名，从第二行起每行一人。第2行是示例，请删除或覆盖后再填写。"),
        _("2. 列的顺序可以调整，可以有其他列（不会导入）；列名前面可以有一行标题。"),
        _("3. 请不要合并单元格：同一户的每个人都要写上小区、楼栋、单元、房号。"),
        _("4. 已经登记过的人（身份证号相同）不会重复导入，会在检查结果中列出。"),
        _("5. 上传后先检查，确认检查结果后再选择导入方式。一次最多10万行。"),
        _("6. 名册含有身份证号、手机号等个人信息，请妥善保管文件，导入完成后删除本地副本。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    notes.column_dimensions["D"].width = 30
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(handle)


# -------------------------------------------------------------------------------------------- error list

def write_errors(handle: IO[bytes], errors: Iterable[dict], *, file_name: str) -> None:
    """The problems found in a household sheet, to fix them in the original file: row, column, reason."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("问题清单"))
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 80
    sheet.append([_text_cell(sheet, _("文件")), _text_cell(sheet, file_name)])
    sheet.append([_text_cell(sheet, text, bold=True) for text in (_("行号"), _("列"), _("问题"))])
    for error in errors:
        sheet.append([error.get("row") or "", _text_cell(sheet, error.get("column") or _("整个文件")),
                      _text_cell(sheet, error.get("reason", ""))])
    workbook.save(handle)


# ------------------------------------------------------------------------------------------------ export

EXPORT_HEADERS = ("姓名", "性别", "出生日期", "证件类型", "证件号码", "手机号", "小区", "楼栋", "单元", "房号",
                  "与户主关系", "户代表", "人员类别", "人群分级", "特殊情况", "详细地址")
# Beside a masked ID only the birth year is written (sanshe.core.pii, rule 2): the full date is the
# eight digits the mask hides.
MASKED_EXPORT_HEADERS = tuple("出生年份" if header == "出生日期" else header for header in EXPORT_HEADERS)


def write_people(handle: IO[bytes], people: Iterable, *, unmasked: bool) -> int:
    """People as a household sheet sheet (the headers read back by the importer); masked unless `unmasked`. Row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("人员名册"))
    for letter, width in zip("ABCDEFGHIJKLMNOP", (10, 5, 11, 12, 21, 14, 14, 8, 8, 8, 10, 7, 16, 10, 22, 30),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    headers = EXPORT_HEADERS if unmasked else MASKED_EXPORT_HEADERS
    sheet.append([_text_cell(sheet, header, bold=True) for header in headers])
    count = 0
    sex_labels = dict(Sex.choices)
    doc_labels = dict(DocumentType.choices)
    relation_labels = dict(Relation.choices)
    category_labels = dict(Category.choices)
    level_labels = {value: str(label).split("：")[0] for value, label in PopulationLevel.choices}
    yes, no = _("是"), ""
    for person in people.iterator(chunk_size=2000) if hasattr(people, "iterator") else people:
        household = person.household
        birth_date: date | None = person.birth_date
        if unmasked:
            document, phone, address = person.doc_number or "", person.phone or "", person.address or ""
            birth = birth_date.isoformat() if birth_date else ""
        else:
            document, phone, address = person.doc_number_masked, person.phone_masked, person.address_masked
            birth = birth_year(birth_date) or ""
        values = (
            person.name, str(sex_labels.get(person.sex, "")), birth,
            str(doc_labels.get(person.doc_type, "")), document, phone,
            person.compound.name if person.compound_id else "", person.building.name if person.building_id else "",
            household.unit.name if household else "", household.room if household else "",
            str(relation_labels.get(person.relation, "")), yes if person.is_representative else no,
            str(category_labels.get(person.category, "")), level_labels.get(person.population_level, ""),
            "、".join(person.vulnerabilities), address,
        )
        sheet.append([_text_cell(sheet, value) for value in values])
        count += 1
    workbook.save(handle)
    return count
