"""Where service records appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.core.features import NavEntry

from .policies import can_records, can_refer_out

NAV = [
    NavEntry(_("服务记录"), "records:record_list", allowed=lambda user, scope: can_records(user)),
    NavEntry(_("每日汇总"), "records:summary_index", allowed=lambda user, scope: can_records(user)),
    NavEntry(_("服务转介"), "records:referral_out_list", allowed=lambda user, scope: can_refer_out(user)),
]
