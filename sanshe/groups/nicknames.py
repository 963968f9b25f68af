"""Nickname conventions (规范群昵称): resident 楼栋-房号-称呼, staff 角色-姓名. Pure."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

# What each token of a convention accepts.
TOKENS: dict[str, str] = {
    "楼栋": r"[0-9a-z一二三四五六七八九十]{1,6}(?:栋|号楼|幢|座|号)?",
    "单元": r"[0-9一二三四五六七八九十]{1,3}(?:单元)?",
    "房号": r"[0-9a-z]{2,6}(?:室|号)?",
    "称呼": r"[^\-\s]{1,10}",
    "姓名": r"[\u4e00-\u9fff·]{2,8}|[a-z][a-z ]{1,19}",
    "社区": r"[^\-\s]{2,12}",
    "角色": r"[^\-\s]{1,8}",
}

# Words a staff nickname may use for each role in the group.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "admin": ("社工", "群主", "管理员", "社会工作者", "社区", "网格员", "楼栋长", "楼长", "物业", "小组长"),
    "social_worker": ("社工", "社会工作者"),
    "community_worker": ("社区", "网格员", "楼栋长", "楼长", "物业", "小组长", "社区工作者"),
    "secretary": ("秘书", "群秘书", "志愿者"),
    "medical": ("医务", "医生", "医师", "护士", "医务志愿者"),
    "psychological": ("心理", "心理咨询师", "咨询师", "心理志愿者", "心理咨询志愿者"),
}

_SEPARATORS = re.compile(r"[—–－_~·•\s]*[-—–－_~][—–－_~\s]*")


def parse_convention(convention: str) -> list[str]:
    """The tokens of a convention like "楼栋-房号-称呼"; a ValueError with a Chinese message if unknown."""
    if not convention.strip():
        return []
    tokens = [t.strip() for t in convention.split("-")]
    unknown = [t for t in tokens if t not in TOKENS]
    if unknown:
        raise ValueError(_("昵称规范只能由以下词用“-”连接：%(tokens)s；不认识：%(unknown)s") % {
            "tokens": "、".join(TOKENS), "unknown": "、".join(unknown)})
    return tokens


def _normalise(nickname: str) -> str:
    text = unicodedata.normalize("NFKC", nickname or "").strip().lower()
    return _SEPARATORS.sub("-", text)


def nickname_problem(nickname: str, convention: str, *, role: str = "") -> str:
    """"" when `nickname` follows `convention` (and names the member's role), else why not, in Chinese."""
    tokens = parse_convention(convention)
    if not tokens:
        return ""
    text = _normalise(nickname)
    if not text:
        return _("未设置群昵称，应为“%(c)s”") % {"c": convention}
    parts = text.split("-")
    if len(parts) != len(tokens):
        return _("应为“%(c)s”格式，用“-”分隔") % {"c": convention}
    for token, part in zip(tokens, parts, strict=True):
        if not re.fullmatch(TOKENS[token], part):
            return _("“%(part)s”不像%(token)s，应为“%(c)s”") % {"part": part, "token": token, "c": convention}
        if token == "角色" and role in ROLE_WORDS and part not in ROLE_WORDS[role]:
            return _("角色应写作：%(words)s") % {"words": "、".join(ROLE_WORDS[role])}
    return ""


def suggest(convention: str, *, building: str = "", room: str = "", title: str = "", role_word: str = "",
            name: str = "") -> str:
    """A nickname that follows `convention` from what we know about the member (missing parts left out)."""
    values = {"楼栋": building, "房号": room, "称呼": title, "角色": role_word, "姓名": name, "单元": "", "社区": ""}
    parts = [values.get(t, "") for t in parse_convention(convention)]
    return "-".join(p for p in parts if p)
