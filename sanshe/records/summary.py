"""Tool 8 (每日工作记录汇总表): its columns, who sees each, and how a day's records become rows (pure).

Need-to-know and the secretary who compiles (六(三)7): compiling runs over all of the group's records of
the day — it is a system step, the compiler never reads the records themselves — and every column carries
a domain. A viewer sees and edits only the columns of their domains (policies.RecordsScope.summary_domains):
the secretary the general columns, the on-duty medic also the medical ones, the counsellor the
psychological one, the social worker all. Hidden columns show "仅限…查看" on screen and in the export.

What goes into the general columns: 求助内容 = the questions of tool 3 (asked in the group chat, which every
group member saw); 服务结果 and 跟进建议 = tool 4's result and follow-up advice (the social worker writes them
for the team: the form says so) and the time of a booked psychological appointment (never its content).
Tool 4's demands, tool 3's answers, tools 6 and 7 go to the social-work, medical and psychological columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    field: str
    label: object
    domain: str
    editable: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("request_date", _("求助日期"), "general", editable=False),
    Column("client_name", _("服务对象"), "general", editable=False),
    Column("group_name", _("微信群名"), "general", editable=False),
    Column("community_name", _("所属社区"), "general", editable=False),
    Column("confirmed", _("是否确诊"), "medical"),
    Column("basic_info", _("基本信息及症状描述"), "medical"),
    Column("request_content", _("求助内容"), "general"),
    Column("social_work_content", _("值班社工服务内容"), "social_work"),
    Column("medical_content", _("值班医务志愿者服务内容"), "medical"),
    Column("psychological_content", _("值班心理志愿者服务内容"), "psychological"),
    Column("result", _("服务结果"), "general"),
    Column("follow_up", _("跟进建议"), "general"),
    Column("screenshots", _("微信截图"), "general", editable=False),
    Column("evaluation", _("服务评估"), "general"),
    Column("recorder", _("记录员"), "general", editable=False),
)
TEXT_FIELDS = ("basic_info", "request_content", "social_work_content", "medical_content", "psychological_content",
               "result", "follow_up", "evaluation")
DOMAIN_HIDDEN = {"medical": _("仅限医务志愿者和社工查看"), "psychological": _("仅限心理咨询志愿者和社工查看"),
                 "social_work": _("仅限社工查看")}
BASIC_INFO_NOTE = _("基本信息及症状描述内容为：性别、年龄、是否怀孕（孕几周）、曾何时出现什么症状、是否去过医院诊治、"
                    "曾做过怎样的处理、和谁共同居住、是否有照顾者、目前症状。")


def editable_fields(domains: set[str]) -> list[str]:
    return [c.field for c in COLUMNS if c.editable and c.domain in domains]


def client_key(record: dict) -> str:
    return f"p{record['person_id']}" if record.get("person_id") else f"n{record['client_name'].strip()}"


def _join(parts: list[str]) -> str:
    return "\n".join(p for p in (s.strip() for s in parts) if p)


def row_texts(records: list[dict]) -> dict:
    """The text columns of one client's row from their records of the day (dicts of decrypted fields)."""
    request, social, medical, psych, result, follow_up, basic = [], [], [], [], [], [], []
    for r in records:
        kind = r["kind"]
        if kind == "consultation":
            # Questions are the client's request; the answers belong to whoever answered (by consult kind).
            request += [str(p.get("q", "")) for p in r["points"]]
            answers = _join([str(p.get("a", "")) for p in r["points"]])
            target = {"medical": medical, "psychological": psych}.get(r["consult_kind"], social)
            if answers:
                target.append(answers)
        elif kind == "social_work":
            # Tool 4's demands mix medical and psychological details: they stay in the social worker's column.
            demands = _join([r[f] for f in ("demand_emotion", "demand_medical", "demand_psychological",
                                            "demand_other")])
            if demands:
                social.append(str(_("诉求：")) + demands.replace("\n", "；"))
            social += r["service_points"]
            result.append(r["result"])
            follow_up.append(r["follow_up"])
        elif kind == "medical":
            basic += [r["physical_condition"], r["other_history"], r["past_illness"]]
            medical += [r["online_service"], str(_("建议：")) + r["professional_advice"] if r["professional_advice"]
                        else "", str(_("结果：")) + r["result"] if r["result"] else ""]
        elif kind == "psychological":
            psych += [r["observation"], r["counselling_process"], r["goal_plan"]]
            if r["next_appointment"] and r["next_appointment_at"]:
                follow_up.append(str(_("已预约下次心理咨询：%(when)s")) % {"when": r["next_appointment_at"]})
    first = records[0]
    facts = [f for f in (first.get("sex_label") or "", f"{first['client_age']}岁" if first.get("client_age") else "")
             if f]
    if facts:
        basic.insert(0, "，".join(facts))
    return {"basic_info": _join(basic), "request_content": _join(request), "social_work_content": _join(social),
            "medical_content": _join(medical), "psychological_content": _join(psych), "result": _join(result),
            "follow_up": _join(follow_up)}


def build_rows(records: list[dict], *, day: date) -> list[dict]:
    """One row per client, in the order their first record of the day was made."""
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(client_key(record), []).append(record)
    rows = []
    for key, items in grouped.items():
        recorders = []
        for r in items:
            if r["kind"] == "consultation" and r["author_name"] not in recorders:
                recorders.append(r["author_name"])
        rows.append({"key": key, "person_id": items[0].get("person_id"), "client_name": items[0]["client_name"],
                     "request_date": day, "record_ids": [r["id"] for r in items],
                     "image_ids": [i for r in items for i in r.get("image_ids", [])],
                     "recorder": "、".join(recorders or [items[0]["author_name"]]),
                     "confirmed": items[0].get("confirmed"), **row_texts(items)})
    return rows
