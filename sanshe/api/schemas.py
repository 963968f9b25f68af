"""Request and response shapes of the API, documented in Chinese and English for the OpenAPI schema.

Personal data leaves the server only masked (`*_masked`); the full value comes only from the audited
reveal endpoint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from sanshe.people.choices import Category, DocumentType, PopulationLevel, Relation, Sex


def _codes(choices) -> str:
    """The codes of a choice list with their Chinese names, for the schema's descriptions."""
    return "; ".join(f"{value} {label}" for value, label in choices.choices)


SEX_DOC = "性别 / sex: " + _codes(Sex)
DOC_TYPE_DOC = "证件类型 / document type: " + _codes(DocumentType)
RELATION_DOC = "与户主关系 / relation to the household head: " + _codes(Relation)
CATEGORY_DOC = "人员类别 / client category: " + _codes(Category)
LEVEL_DOC = "国家卫健委人群分级 / NHC 2020 population level: " + _codes(PopulationLevel)
_VULNERABILITY_DOC = "脆弱性标记 / vulnerability flag: "


class FieldErrorOut(Schema):
    field: str | None = Field(None, description="出错的字段（null 表示整体错误）/ the field at fault, null for the whole request")
    message: str = Field(..., description="中文错误说明 / the reason, in the request's language (Chinese by default)")


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明 / what went wrong")


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut] = Field(..., description="逐字段的错误 / one entry per problem")


# --- places -------------------------------------------------------------------------------------

class CommunityOut(Schema):
    id: int
    name: str = Field(..., description="社区名称 / community name")
    code: str = Field(..., description="社区编码 / community code")
    district: str = Field(..., description="区 / district")
    street: str = Field(..., description="街道 / sub-district (street)")
    address: str = Field(..., description="社区办公地址 / community office address")
    phone: str = Field(..., description="社区办公电话 / community office phone (not personal data)")


class CompoundOut(Schema):
    id: int
    community_id: int = Field(..., description="所属社区 / community")
    name: str = Field(..., description="小区名称 / compound name")
    address: str = Field(..., description="小区地址 / compound address")


class BuildingOut(Schema):
    id: int
    community_id: int = Field(..., description="所属社区 / community")
    compound_id: int = Field(..., description="所属小区 / compound")
    name: str = Field(..., description="楼栋 / building, e.g. 3栋")


class UnitOut(Schema):
    id: int
    building_id: int = Field(..., description="所属楼栋 / building")
    name: str = Field(..., description="单元 / unit (stairwell), e.g. 1单元")


class HouseholdOut(Schema):
    id: int
    label: str = Field(..., description="楼栋-单元-房号 / building-unit-room, e.g. 3栋-1单元-502")
    room: str = Field(..., description="房号 / room number")
    unit_id: int
    building_id: int
    compound_id: int
    community_id: int
    member_count: int = Field(..., description="在册人数（您可见的）/ registered members you may see")


class CodeLabel(Schema):
    code: str = Field(..., description="代码 / machine code")
    label: str = Field(..., description="中文名称 / label")


class PersonBrief(Schema):
    id: int
    name: str = Field(..., description="姓名 / name")
    sex: str = Field(..., description=SEX_DOC)
    sex_label: str = Field(..., description="性别 / sex")
    birth_year: int | None = Field(None, description="出生年份（不给出生日期或周岁，防止与脱敏证件号组合还原）/ "
                                                     "birth year only (no birth date or age beside a masked ID)")
    relation: str = Field(..., description=RELATION_DOC)
    relation_label: str = Field(..., description="与户主关系 / relation to the household head")
    is_representative: bool = Field(..., description="户代表 / the household's representative")
    doc_type: str = Field(..., description=DOC_TYPE_DOC)
    doc_type_label: str = Field(..., description="证件类型 / document type")
    doc_number_masked: str = Field(..., description="证件号码（已遮蔽）/ document number, masked: 440308********1234")
    phone_masked: str = Field(..., description="手机号（已遮蔽）/ mobile, masked: 138****5678")
    category: str = Field(..., description=CATEGORY_DOC)
    category_label: str = Field(..., description="人员类别 / client category")
    population_level: int | None = Field(None, description=LEVEL_DOC)
    vulnerabilities: list[CodeLabel] = Field(..., description="脆弱性标记 / vulnerability flags")
    household_id: int | None = Field(None, description="住户 / household")
    household_label: str = Field("", description="楼栋-单元-房号 / building-unit-room")
    community_id: int
    compound_id: int | None = None
    building_id: int | None = None


class PersonOut(PersonBrief):
    address_masked: str = Field(..., description="详细地址（已遮蔽）/ detailed address, masked")
    community_name: str = Field(..., description="社区 / community")
    compound_name: str = Field("", description="小区 / compound")
    building_name: str = Field("", description="楼栋 / building")
    population_level_label: str = Field("", description="人群分级说明 / population level")
    is_active: bool = Field(..., description="在册 / still registered")
    created_at: datetime
    updated_at: datetime


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonBrief] = Field(..., description="住户成员（已遮蔽）/ members, masked")


class PersonPage(Schema):
    items: list[PersonBrief]
    next: str | None = Field(None, description="下一页游标，null 表示没有更多 / cursor of the next page; null at the end")


# --- writes -------------------------------------------------------------------------------------


class PersonIn(Schema):
    household_id: int = Field(..., description="住户（须在您可管理的范围内）/ household, within your scope")
    name: str = Field(..., min_length=1, max_length=50, description="姓名 / name")
    sex: Sex | None = Field(None, description=SEX_DOC + "（居民身份证可推算 / derived from a resident ID）")
    birth_date: date | None = Field(None, description="出生日期；居民身份证可推算 / birth date; derived from a resident ID")
    doc_type: DocumentType = Field(DocumentType.RESIDENT_ID, description=DOC_TYPE_DOC)
    doc_number: str | None = Field(None, max_length=40, description="证件号码（居民身份证按 GB 11643 校验）/ document number")
    phone: str | None = Field(None, max_length=20, description="手机号（可带 +86）/ mainland mobile, +86 allowed")
    address: str | None = Field(None, max_length=200, description="详细地址 / detailed address")
    relation: Relation = Field(Relation.HEAD, description=RELATION_DOC)
    is_representative: bool = Field(False, description="户代表 / the household's representative")
    category: Category = Field(Category.RESIDENT, description=CATEGORY_DOC)
    population_level: PopulationLevel | None = Field(None, description=LEVEL_DOC)
    elderly_alone: bool = Field(False, description=_VULNERABILITY_DOC + "60岁以上独居 / over 60 living alone")
    chronic_disease: bool = Field(False, description=_VULNERABILITY_DOC + "慢性病 / chronic disease")
    pregnant: bool = Field(False, description=_VULNERABILITY_DOC + "孕期 / pregnant")
    disabled: bool = Field(False, description=_VULNERABILITY_DOC + "残疾 / disability")
    child_under_14: bool = Field(False, description=_VULNERABILITY_DOC + "14岁以下儿童（有出生日期时自动推算）/ child under 14")
    needs_care: bool = Field(False, description=_VULNERABILITY_DOC + "需要照料 / needs care")


class PersonPatch(Schema):
    """只修改传入的字段；phone、address、doc_number、birth_date、population_level 可传 null 清除。
    Only the fields sent are changed; send null to clear an optional field."""

    household_id: int | None = Field(None, description="迁入另一住户 / move to another household")
    name: str | None = Field(None, min_length=1, max_length=50, description="姓名 / name")
    sex: Sex | None = Field(None, description=SEX_DOC)
    birth_date: date | None = Field(None, description=(
        "出生日期；已登记身份证号时按身份证号推算，单独传入会被拒绝，请改传正确的 doc_number / birth date; "
        "while a resident ID is on record it comes from the ID only: send the corrected doc_number instead"))
    doc_type: DocumentType | None = Field(None, description=DOC_TYPE_DOC)
    doc_number: str | None = Field(None, max_length=40, description="证件号码 / document number")
    phone: str | None = Field(None, max_length=20, description="手机号 / mainland mobile")
    address: str | None = Field(None, max_length=200, description="详细地址 / detailed address")
    relation: Relation | None = Field(None, description=RELATION_DOC)
    is_representative: bool | None = Field(None, description="户代表 / the household's representative")
    category: Category | None = Field(None, description=CATEGORY_DOC)
    population_level: PopulationLevel | None = Field(None, description=LEVEL_DOC + "（null 清除 / null clears）")
    elderly_alone: bool | None = Field(None, description=_VULNERABILITY_DOC + "60岁以上独居 / over 60 living alone")
    chronic_disease: bool | None = Field(None, description=_VULNERABILITY_DOC + "慢性病 / chronic disease")
    pregnant: bool | None = Field(None, description=_VULNERABILITY_DOC + "孕期 / pregnant")
    disabled: bool | None = Field(None, description=_VULNERABILITY_DOC + "残疾 / disability")
    child_under_14: bool | None = Field(None, description=_VULNERABILITY_DOC + "14岁以下儿童 / child under 14")
    needs_care: bool | None = Field(None, description=_VULNERABILITY_DOC + "需要照料 / needs care")
    is_active: bool | None = Field(None, description="在册 / still registered")


class RevealIn(Schema):
    field: Literal["doc_number", "phone", "address", "birth_date"] = Field(
        ..., description="要查看的字段 / the protected field: doc_number 证件号码, phone 手机号, address 详细地址, "
                         "birth_date 出生日期（YYYY-MM-DD）")
    reason: str = Field(..., max_length=500, description="查看事由（至少4个字，记入审计日志）/ reason, at least 4 characters, audited")


class RevealOut(Schema):
    field: str
    label: str = Field(..., description="字段名称 / field label")
    value: str = Field(..., description="完整值（请勿转存）/ the full value; do not store it")
