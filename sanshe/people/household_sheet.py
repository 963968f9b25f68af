"""Reading and checking household sheets (花名册: .xlsx / .csv) the way communities keep them. Pure: no database.

`read_household_sheet` turns file bytes into a `HouseholdSheetTable` (or raises `HouseholdSheetFileError` for a file that cannot be
used at all: not really a spreadsheet, empty, too large, required column missing). `validate_household_sheet` checks
every row and returns the clean `HouseholdSheetRow`s and the `RowError`s, each with the row number the user sees
in Excel, the column header as written in the file, and a Chinese reason. Reasons never repeat the ID or
phone number that was typed: they end up in the import job, which is kept longer than the file.

Decisions, so nobody has to guess:
- A title row above the header (often merged across the columns) is allowed; the header is found in the
  first `HEADER_SEARCH_ROWS` rows. Merged cells that touch the header or the data are errors (one per
  range, naming it) and the rows they cover are not imported: a merged 楼栋 cell means the rows below it
  say nothing, and guessing would put people in the wrong household.
- The same ID twice in one file: the first row counts, each later row is a "duplicate person" error.
  People already registered (anywhere, by ID) are reported by the import service as duplicates and not
  re-imported; updating existing people is done on their own page, not by overwriting from a file.
- A building written as a bare number (3) becomes "3栋", a unit "2" becomes "2单元", matching how the
  places tree names them; a missing unit puts the household in `NO_UNIT`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path

from django.utils.translation import gettext as _

from sanshe.core.identity import IdentityError, normalize_phone, parse_resident_id
from sanshe.core.uploads import (
    SheetLimits,
    UntrustedFileError,
    pack_cells,
    sheet_cells,
    spreadsheet_check,
    unpack_cells,
)

from .choices import HOUSEHOLD_SHEET_HEADERS, Category, DocumentType, Relation, Sex

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 100_000
NO_UNIT = "整栋"  # same word the places pages suggest for a building without units
# The template's example row: left in by mistake, it must not become a person.
EXAMPLE_NAME = "张三（示例）"
EXAMPLE_DOC_NUMBER = "11010519491231002X"

REQUIRED_FIELDS = ("name", "compound", "building", "room")
FIELD_ORDER = ("name", "sex", "doc_type", "doc_number", "phone", "compound", "building", "unit", "room",
               "relation", "category", "address")
MAX_LENGTHS = {"name": 50, "compound": 100, "building": 50, "unit": 50, "room": 20, "address": 200}

_XLSX_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_NOISE = re.compile(r"[\s\u3000*＊:：]|[(（](必填|选填|可选|必须)[)）]")
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\ufeff\u00a0")
_OTHER_DOC = re.compile(r"^[A-Z0-9\-]{5,40}$")


def canonical_header(field_name: str) -> str:
    """The first (preferred) Chinese header for an import field."""
    return HOUSEHOLD_SHEET_HEADERS[field_name][0]


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", text.translate(_INVISIBLE))


HEADER_LOOKUP: dict[str, str] = {
    _header_key(spelling): name for name, spellings in HOUSEHOLD_SHEET_HEADERS.items() for spelling in spellings
}


def _aliases(pairs: dict[str, list[str]], choices) -> dict[str, str]:
    table = {str(label): value for value, label in choices.choices}
    for value, words in pairs.items():
        for word in words:
            table[word] = value
    return table


SEX_WORDS = _aliases({
    Sex.MALE: ["男", "男性", "M", "m", "male", "Male"],
    Sex.FEMALE: ["女", "女性", "F", "f", "female", "Female"],
}, Sex)
DOC_TYPE_WORDS = _aliases({
    DocumentType.RESIDENT_ID: ["身份证", "居民身份证", "二代身份证", "身份证号", "大陆居民身份证"],
    DocumentType.HK_MACAU_PERMIT: ["港澳居民居住证", "港澳居民来往内地通行证", "回乡证", "港澳通行证"],
    DocumentType.TAIWAN_PERMIT: ["台湾居民居住证", "台湾居民来往大陆通行证", "台胞证"],
    DocumentType.PASSPORT: ["护照", "外国护照"],
    DocumentType.FOREIGNER_PR: ["外国人永久居留身份证", "外国人永久居留证", "永居证", "绿卡"],
    DocumentType.OTHER: ["其他", "其它", "其他证件"],
}, DocumentType)
RELATION_WORDS = _aliases({
    Relation.HEAD: ["户主", "本人", "户主本人", "自己", "户代表"],
    Relation.SPOUSE: ["配偶", "妻子", "丈夫", "妻", "夫", "爱人", "老婆", "老公"],
    Relation.CHILD: ["子", "女", "儿子", "女儿", "子女", "长子", "次子", "三子", "长女", "次女", "三女",
                     "独生子", "独生女", "孩子", "养子", "养女", "继子", "继女"],
    Relation.PARENT: ["父亲", "母亲", "父母", "父", "母", "爸爸", "妈妈"],
    Relation.SIBLING: ["兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹", "兄弟", "姐妹", "兄弟姐妹"],
    Relation.GRANDPARENT: ["祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "外公", "外婆", "姥姥",
                           "姥爷", "祖父母", "外祖父母"],
    Relation.GRANDCHILD: ["孙子", "孙女", "外孙", "外孙子", "外孙女", "孙子女", "外孙子女"],
    Relation.CHILD_IN_LAW: ["儿媳", "儿媳妇", "媳妇", "女婿"],
    Relation.OTHER_RELATIVE: ["亲属", "其他亲属", "公公", "婆婆", "岳父", "岳母", "侄子", "侄女", "外甥",
                              "外甥女", "叔叔", "伯父", "姑姑", "舅舅", "阿姨", "姨妈", "嫂子", "弟媳"],
    Relation.TENANT: ["租户", "租客", "房客", "同住人", "合租", "借住"],
    Relation.OTHER: ["其他", "其它", "保姆", "朋友", "非亲属"],
}, Relation)
CATEGORY_WORDS = _aliases({
    Category.RESIDENT: ["居民", "普通居民", "社区居民", "一般居民"],
    Category.HOME_QUARANTINE: ["居家隔离", "居家隔离人员", "居家观察"],
    Category.CENTRAL_QUARANTINE: ["集中隔离", "集中隔离人员", "集中观察"],
    Category.QUARANTINE_FAMILY: ["隔离人员家属", "隔离家属"],
    Category.SUSPECTED: ["疑似", "疑似患者", "疑似病例"],
    Category.SEVERE_ANXIETY: ["严重焦虑", "严重焦虑者"],
    Category.STRESSED_WORKER: ["社区工作者", "心理压力较大的社区工作者"],
}, Category)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: Excel row number (None for the whole file), column header as written, Chinese reason."""

    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class HouseholdSheetFileError(Exception):
    """The file cannot be used at all; `errors` say why (usually one)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(e.reason for e in errors))
        self.errors = errors

    def __reduce__(self):
        # Raised in the parser's child process and raised again in the server process (sanshe.core.uploads).
        return (self.__class__, (self.errors,))


def _file_error(reason: str, *, row: int | None = None, column: str = "") -> HouseholdSheetFileError:
    return HouseholdSheetFileError([RowError(row, column, reason)])


@dataclass(slots=True)
class HouseholdSheetRow:
    """A row that passed every check, with values normalised for storage."""

    row: int
    name: str
    sex: str
    birth_date: date | None
    doc_type: str
    doc_number: str | None
    phone: str | None
    compound: str
    building: str
    unit: str
    room: str
    relation: str
    category: str
    address: str | None


@dataclass
class HouseholdSheetTable:
    """What was read: the header and the raw data rows, with Excel row numbers."""

    kind: str  # "xlsx", "xls" or "csv"
    sheet_name: str
    header_row: int  # 1-based, as Excel shows it
    columns: dict[str, int]  # field → 0-based column index
    headers: list[str]  # header cells as written in the file
    rows: list[tuple[int, list]]  # (Excel row number, cells)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r0, c0, r1, c1
    ignored_headers: list[str] = field(default_factory=list)

    def header_of(self, field_name: str) -> str:
        index = self.columns.get(field_name)
        if index is None:
            return canonical_header(field_name)
        return self.headers[index]


@dataclass
class HouseholdSheetResult:
    rows: list[HouseholdSheetRow]
    errors: list[RowError]
    total_rows: int

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})


# ---------------------------------------------------------------------------------------------- reading

def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def read_household_sheet(source: bytes | str | Path, *, file_name: str = "", max_bytes: int | None = None,
                max_rows: int = MAX_ROWS, sheet_limits: SheetLimits | None = None) -> HouseholdSheetTable:
    """Read an .xlsx/.xls/.csv household sheet from bytes or a path; the format is told by content, not by name.

    The file is untrusted: run this through `sanshe.core.uploads.parse_untrusted` (the import service does).
    """
    try:
        return _read_household_sheet(source, file_name=file_name, max_bytes=max_bytes, max_rows=max_rows,
                            sheet_limits=sheet_limits or SheetLimits.from_settings())
    except UntrustedFileError as exc:
        raise _file_error(exc.message) from exc


def read_household_sheet_packed(source: bytes | str | Path, **kwargs) -> tuple:
    """`read_household_sheet` as plain builtins, for the trip out of the parser's child process (see `unpack_household_sheet`)."""
    table = read_household_sheet(source, **kwargs)
    rows, special = pack_cells(table.rows)
    return (table.kind, table.sheet_name, table.header_row, table.columns, table.headers, rows, special,
            table.merged, table.ignored_headers)


def unpack_household_sheet(packed: tuple) -> HouseholdSheetTable:
    """The `HouseholdSheetTable` that `read_household_sheet_packed` read."""
    kind, sheet_name, header_row, columns, headers, rows, special, merged, ignored = packed
    return HouseholdSheetTable(kind=kind, sheet_name=sheet_name, header_row=header_row, columns=columns, headers=headers,
                       rows=unpack_cells(rows, special), merged=[tuple(m) for m in merged], ignored_headers=ignored)


def _read_household_sheet(source: bytes | str | Path, *, file_name: str, max_bytes: int | None, max_rows: int,
                 sheet_limits: SheetLimits) -> HouseholdSheetTable:
    if isinstance(source, (str, Path)):
        path = Path(source)
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise _too_large(size, max_bytes)
        with path.open("rb") as handle:
            head = handle.read(8)
        data: bytes | None = None
        file_name = file_name or path.name
    else:
        size = len(source)
        if max_bytes is not None and size > max_bytes:
            raise _too_large(size, max_bytes)
        head, data, path = source[:8], source, None
    if size == 0:
        raise _file_error(_("文件是空的（0字节），请重新选择文件"))
    suffix = Path(file_name).suffix.lower()
    if head.startswith(_XLSX_MAGIC):
        # Zip bombs and huge sheets are refused before any cell is read.
        spreadsheet_check(path if data is None else data, sheet_limits)
        return _read_workbook(path if data is None else io.BytesIO(data), "xlsx", max_rows, sheet_limits)
    if head.startswith(_OLE2_MAGIC):
        return _read_workbook(path if data is None else io.BytesIO(data), "xls", max_rows, sheet_limits)
    if head.startswith(b"%PDF"):
        raise _file_error(_("这是一个PDF文件，不是Excel表格。请上传.xlsx或.csv文件"))
    if data is None:
        data = path.read_bytes()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise _file_error(_("文件扩展名是%(suffix)s，但内容不是Excel表格（可能是改了扩展名的文本、网页或其他文件）。"
                            "请用Excel打开后“另存为”Excel工作簿（.xlsx）再上传") % {"suffix": suffix})
    return _read_csv(data, max_rows)


def _too_large(size: int, max_bytes: int) -> HouseholdSheetFileError:
    return _file_error(_("文件太大（%(size)s MB），上限为%(limit)s MB。请分成几个文件分别导入") % {
        "size": _megabytes(size), "limit": _megabytes(max_bytes).removesuffix(".0")})


def _read_workbook(source, kind: str, max_rows: int, sheet_limits: SheetLimits) -> HouseholdSheetTable:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        if isinstance(source, Path):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            workbook = CalamineWorkbook.from_filelike(source)
    except PasswordError as exc:
        raise _file_error(_("文件设置了打开密码，请在Excel中取消密码后再上传")) from exc
    except (CalamineError, ValueError, OSError) as exc:
        if kind == "xls":
            raise _file_error(_("文件无法作为Excel表格打开（可能设置了密码，或已损坏）。"
                                "请用Excel打开后“另存为”.xlsx再上传")) from exc
        raise _file_error(_("文件不是有效的Excel表格（可能是改了扩展名的其他文件，或文件已损坏）。"
                            "请用Excel打开后“另存为”.xlsx再上传")) from exc
    with workbook:
        sheets = [meta.name for meta in workbook.sheets_metadata
                  if str(getattr(meta.visible, "name", "Visible")) == "Visible"
                  and str(getattr(meta.typ, "name", "WorkSheet")) == "WorkSheet"] or list(workbook.sheet_names)
        if not sheets:
            raise _file_error(_("表格是空的：工作簿中没有工作表"))
        first_problem: HouseholdSheetFileError | None = None
        for name in sheets:
            try:
                sheet = workbook.get_sheet_by_name(name)
                cells = sheet_cells(sheet, sheet_limits)  # the used range is checked before rows are made
                merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            except CalamineError as exc:
                raise _file_error(_("工作表“%(sheet)s”无法读取，文件可能已损坏。请用Excel打开后“另存为”.xlsx再上传")
                                  % {"sheet": name}) from exc
            try:
                return _table_from_cells(kind, name, cells, merged, max_rows)
            except HouseholdSheetFileError as problem:
                # A workbook may hold an instructions sheet first; use the first sheet that is a household sheet.
                first_problem = first_problem or problem
        raise first_problem


def _read_csv(data: bytes, max_rows: int) -> HouseholdSheetTable:
    text = decode_csv(data)
    if "\x00" in text:
        raise _file_error(_("文件内容不是文本表格（可能是改了扩展名的其他文件）。请上传.xlsx或.csv文件"))
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";", "，"], key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    cells = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return _table_from_cells("csv", "", cells, [], max_rows)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _file_error(_("无法识别文件的文字编码。请在Excel中“另存为”.xlsx，或另存为UTF-8编码的CSV")) from exc


def _cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = value.strip()
        return value if value.isprintable() else value.translate(_INVISIBLE).strip()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _find_header(cells: list[list]) -> tuple[int, dict[str, int], list[str], list[str]] | None:
    best = None
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        ignored: list[str] = []
        texts = [_cell_text(v) for v in row]
        for col, text in enumerate(texts):
            if not text:
                continue
            name = HEADER_LOOKUP.get(_header_key(text))
            if name is None or name in columns:
                ignored.append(text)
                continue
            columns[name] = col
        # A header row names the person and at least one place or identity column.
        if "name" in columns and len(columns) >= 2:
            return index, columns, texts, ignored
        if best is None and len(columns) >= 3:
            best = (index, columns, texts, ignored)
    return best


def _table_from_cells(kind: str, sheet_name: str, cells: list[list], merged, max_rows: int) -> HouseholdSheetTable:
    while cells and not any(_cell_text(v) for v in cells[-1]):
        cells.pop()
    where = _("工作表“%(sheet)s”") % {"sheet": sheet_name} if sheet_name else _("文件")
    if not cells:
        raise _file_error(_("表格是空的：%(where)s中没有任何内容") % {"where": where})
    found = _find_header(cells)
    if found is None:
        wanted = "、".join(f"“{canonical_header(f)}”" for f in REQUIRED_FIELDS)
        raise _file_error(_("找不到表头：%(where)s前%(n)d行中没有%(wanted)s等列名。"
                            "请把列名放在第一行（或标题行的下一行），也可以下载模板对照填写")
                          % {"where": where, "n": HEADER_SEARCH_ROWS, "wanted": wanted})
    header_index, columns, headers, ignored = found
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise HouseholdSheetFileError([
            RowError(header_index + 1, canonical_header(f), _("缺少必填列“%(column)s”（也可写作：%(spellings)s）") % {
                "column": canonical_header(f),
                "spellings": "、".join(HOUSEHOLD_SHEET_HEADERS[f][1:]) or canonical_header(f)})
            for f in missing
        ])
    width = max(columns.values()) + 1
    rows = [(index + 1, row if len(row) >= width else list(row) + [""] * (width - len(row)))
            for index, row in enumerate(cells[header_index + 1:], start=header_index + 1)]
    if not any(any(_cell_text(v) for v in row) for _, row in rows):
        raise _file_error(_("表格中只有表头，没有人员数据（%(where)s第%(row)d行是表头）")
                          % {"where": where, "row": header_index + 1}, row=header_index + 1)
    if len(rows) > max_rows:
        raise _file_error(_("行数太多：共%(count)d行，一次最多导入%(limit)d行，请分成几个文件分别导入")
                          % {"count": len(rows), "limit": max_rows})
    # Merged ranges wholly above the header are titles; keep only those touching the header or data.
    relevant = [m for m in merged if m[2] >= header_index and not (m[0] == m[2] and m[1] == m[3])]
    return HouseholdSheetTable(kind=kind, sheet_name=sheet_name, header_row=header_index + 1, columns=columns,
                       headers=headers, rows=rows, merged=relevant, ignored_headers=ignored)


# ------------------------------------------------------------------------------------------- validation

def _merged_errors(table: HouseholdSheetTable) -> tuple[list[RowError], set[int]]:
    errors: list[RowError] = []
    covered: set[int] = set()
    for r0, c0, r1, c1 in sorted(table.merged):
        span = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        header = table.headers[c0] if c0 < len(table.headers) and table.headers[c0] else column_letter(c0)
        if r0 + 1 <= table.header_row:
            reason = _("表头有合并单元格 %(span)s，请取消合并，每一列只写一个列名") % {"span": span}
        elif r0 == r1:
            reason = _("第%(row)d行有合并单元格 %(span)s，请取消合并，每个格子分别填写") % {"row": r0 + 1, "span": span}
        else:
            reason = _("合并单元格 %(span)s（第%(first)d至%(last)d行），请取消合并，并在每一行填上完整内容") % {
                "span": span, "first": r0 + 1, "last": r1 + 1}
        errors.append(RowError(max(r0 + 1, table.header_row), header, reason))
        covered.update(range(max(r0 + 1, table.header_row + 1), r1 + 2))
    return errors, covered


def _excel_number_error(value) -> str | None:
    """Excel keeps 15 significant digits: an 18-digit ID typed into a number cell has lost its tail."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e14:
        return _("身份证号被Excel存成了数字，末尾几位已丢失。请把该列设为“文本”格式后重新输入")
    return None


def validate_household_sheet(table: HouseholdSheetTable, *, today: date | None = None) -> HouseholdSheetResult:
    """Check every data row; return the clean rows and every problem (row, column, Chinese reason)."""
    today = today or date.today()
    errors, covered = _merged_errors(table)
    header = {name: table.header_of(name) for name in FIELD_ORDER}
    present = [name for name in FIELD_ORDER if name in table.columns]
    absent = tuple("" for name in FIELD_ORDER if name not in table.columns)
    order = present + [name for name in FIELD_ORDER if name not in table.columns]
    pick = itemgetter(*[table.columns[name] for name in present])
    # Unpack each row in FIELD_ORDER whatever the column order in the file.
    position = [order.index(name) for name in FIELD_ORDER]
    doc_column = table.columns.get("doc_number")
    required = [(FIELD_ORDER.index(n), n) for n in REQUIRED_FIELDS]
    limits = [(FIELD_ORDER.index(n), n, limit) for n, limit in MAX_LENGTHS.items()]
    resident_id, unknown_sex, other, resident = (DocumentType.RESIDENT_ID.value, Sex.UNKNOWN.value,
                                                 Relation.OTHER.value, Category.RESIDENT.value)
    male_female = (Sex.MALE.value, Sex.FEMALE.value)
    clean: list[HouseholdSheetRow] = []
    seen_docs: dict[tuple[str, str], int] = {}
    total = 0
    for excel_row, cells in table.rows:
        raw = pick(cells) if len(present) > 1 else (pick(cells),)
        values = [v.strip() if v.__class__ is str else _cell_text(v) for v in raw]
        values.extend(absent)
        texts = [values[i] for i in position]
        if not any(texts) and not any(_cell_text(v) for v in cells):
            continue  # a blank line between blocks of the household sheet
        total += 1
        if excel_row in covered:
            continue
        if not "".join(texts).isprintable():
            texts = [_cell_text(t) for t in texts]  # zero-width spaces, BOMs pasted from web pages
        (name, sex_text, doc_type_text, number_text, phone_text, compound, building, unit, room, relation_text,
         category_text, address) = texts
        row_errors: list[RowError] = []

        def fail(field_name: str, reason: str, _row=excel_row, _errors=row_errors) -> None:
            _errors.append(RowError(_row, header[field_name], reason))

        for i, field_name in required:
            if not texts[i]:
                fail(field_name, _("%(column)s未填写") % {"column": header[field_name]})
        for i, field_name, limit in limits:
            if len(texts[i]) > limit:
                fail(field_name, _("%(column)s太长（最多%(limit)d个字）") % {"column": header[field_name], "limit": limit})
        if building.isdigit():
            building += "栋"
        if unit.isdigit():
            unit += "单元"

        doc_type = resident_id
        if doc_type_text:
            doc_type = DOC_TYPE_WORDS.get(doc_type_text.replace(" ", ""), "")
            if not doc_type:
                fail("doc_type", _("无法识别的证件类型，可填：%(values)s") % {
                    "values": "、".join(str(label) for label in DocumentType.labels)})
        number = number_text.replace(" ", "").upper() or None
        sex = unknown_sex
        if sex_text:
            sex = SEX_WORDS.get(sex_text, "")
            if not sex:
                fail("sex", _("性别只能填“男”或“女”"))
        birth: date | None = None
        if number and doc_type == resident_id:
            lost = _excel_number_error(cells[doc_column])
            if lost:
                fail("doc_number", lost)
            else:
                try:
                    parsed = parse_resident_id(number, today=today)
                except IdentityError as exc:
                    fail("doc_number", str(exc))
                else:
                    if sex in male_female and sex != parsed.sex:
                        fail("sex", _("性别与身份证号不符（身份证号显示为%(sex)s）") % {"sex": Sex(parsed.sex).label})
                    sex, birth, number = parsed.sex, parsed.birth_date, parsed.number
        elif number and doc_type and not _OTHER_DOC.match(number):
            fail("doc_number", _("证件号码格式不正确（只能包含字母、数字和短横线，5至40位）"))
        if number and doc_type:
            key = (doc_type, number)
            first = seen_docs.get(key)
            if first is not None:
                fail("doc_number", _("重复人员：与第%(row)d行的证件号码相同（同一人只能登记一次）") % {"row": first})
            else:
                seen_docs[key] = excel_row
        if number == EXAMPLE_DOC_NUMBER and name == EXAMPLE_NAME:
            fail("name", _("这是模板中的示例行，请删除后再导入"))
        phone = None
        if phone_text:
            try:
                phone = normalize_phone(phone_text)
            except IdentityError as exc:
                fail("phone", str(exc))
        relation = other
        if relation_text:
            relation = RELATION_WORDS.get(relation_text.replace(" ", ""), "")
            if not relation:
                fail("relation", _("无法识别的与户主关系，可填：户主、配偶、子女、父母、兄弟姐妹、祖父母、孙子女、儿媳/女婿、"
                                   "其他亲属、租户、其他"))
        category = resident
        if category_text:
            category = CATEGORY_WORDS.get(category_text.replace(" ", ""), "")
            if not category:
                fail("category", _("无法识别的人员类别，可填：%(values)s") % {
                    "values": "、".join(str(label) for label in Category.labels)})
        if row_errors:
            errors.extend(row_errors)
            continue
        clean.append(HouseholdSheetRow(
            row=excel_row, name=name, sex=sex, birth_date=birth, doc_type=doc_type, doc_number=number,
            phone=phone, compound=compound, building=building, unit=unit or NO_UNIT, room=room,
            relation=relation, category=category, address=address or None,
        ))
    if total == 0:
        raise _file_error(_("表格中只有表头，没有人员数据（第%(row)d行是表头）") % {"row": table.header_row},
                          row=table.header_row)
    errors.sort(key=lambda e: (e.row or 0))
    return HouseholdSheetResult(rows=clean, errors=errors, total_rows=total)
