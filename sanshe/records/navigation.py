"""Where service records appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_records
from .policies import can_records, can_refer_out

NAV = [
    NavEntry(_("服务记录"), "records:record_list", allowed=lambda user, scope: can_records(user)),
    NavEntry(_("每日汇总"), "records:summary_index", allowed=lambda user, scope: can_records(user)),
    NavEntry(_("服务转介"), "records:referral_out_list", allowed=lambda user, scope: can_refer_out(user)),
]

HOME_PANELS = [
    # The secretary's queue of "record this" and the day's summary (六(三)7); social workers see their groups'.
    HomePanel("records/_home_records.html", frozenset({Role.GENERAL_VOLUNTEER, Role.SOCIAL_WORKER}),
              lambda user: home_records(actor=user), order=30),
]
