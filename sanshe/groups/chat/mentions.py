"""@mentions in a group chat become notifications (issue 14): whoever is mentioned in a published group message
and is not reading that group right now gets one in-app notification (never a text), at most one per message,
unless they turned mention notifications off; in their quiet hours it waits in their list without a toast.

"Reading right now" is what their notification socket reports (sanshe.core.notify.presence): the group's chat
page open and in view. The live "mention" push groups sends to the user's sockets is unchanged.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from sanshe.core.notify import presence
from sanshe.core.notify.models import Channel, NotificationPreference
from sanshe.core.notify.services import notify_send

from ..labels import client_group_name
from ..models import GroupMember, Message, MessageStatus


def mentions_notify(*, message: Message, mentioned: list[int]) -> list[int]:
    """In the sending transaction: notify the mentioned users (ids) who are not viewing the group; returns who."""
    if not mentioned or message.thread_id is not None or message.status != MessageStatus.PUBLISHED:
        return []
    group = message.group
    path = reverse("groups:chat", args=[group.pk])
    muted = set(NotificationPreference.objects.filter(user_id__in=mentioned, chat_mentions=False)
                .values_list("user_id", flat=True))
    recipients = [u for u in dict.fromkeys(mentioned)
                  if u != message.sender_id and u not in muted and not presence.is_viewing(u, path)]
    if not recipients:
        return []
    nickname = (GroupMember.objects.filter(group=group, user_id=message.sender_id)
                .values_list("nickname", flat=True).first())
    title = _("%(who)s在“%(group)s”里@了您") % {"who": nickname or str(message.sender),
                                                  "group": client_group_name(group)}
    url = f"{path}#m{message.pk}"
    notes = notify_send(
        recipients=recipients, kind="groups.mention", title=title, url=url, channels=(Channel.INAPP,),
        # No "href": the staff layout's notice script already toasts groups' own live mention push.
        data={"kind": "groups.mention_notice", "group_id": group.pk, "message_id": message.pk, "text": title,
              "url": url},
        once_key=f"groups.mention:{message.pk}", quiet_push=True,
        organisation_id=group.organisation_id, community_id=group.community_id)
    return [n.recipient_id for n in notes]
