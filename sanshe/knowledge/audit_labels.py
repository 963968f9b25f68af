"""Chinese labels of the audit actions the knowledge feature writes (audit log page)."""

from django.utils.translation import gettext_lazy as _

AUDIT_ACTION_LABELS = {
    "knowledge.entry.draft": _("起草知识库条目"),
    "knowledge.entry.edit": _("修改知识库条目"),
    "knowledge.entry.publish": _("发布知识库条目"),
    "knowledge.entry.renew": _("复核续期知识库条目"),
    "knowledge.entry.retire": _("停用知识库条目"),
    "knowledge.entry.merge": _("合并重复的知识库条目"),
    "knowledge.duplicate.dismiss": _("标记知识库条目不重复"),
    "knowledge.category.create": _("新增知识库分类"),
    "knowledge.category.update": _("修改知识库分类"),
    "knowledge.import": _("导入知识库"),
    "knowledge.export": _("导出知识库"),
    "knowledge.suggestion.send": _("发送知识库建议回答"),
}
