"""Pages and JSON endpoints for groups. They parse input, call a service or selector, and render."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core import gate
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors, background_poll, int_param
from sanshe.core.redirects import safe_next
from sanshe.rules import chatrisk

from . import feedback_selectors, handover, service_base
from .alerts import referral as alert_referral
from .alerts import selectors as alert_selectors
from .alerts import services as alert_services
from .chat import protocol as chat_protocol
from .chat import render as chat_render
from .chat import selectors as chat_selectors
from .chat import services as chat_services
from .forms import (
    AckForm,
    AnnouncementForm,
    DutyForm,
    GroupCreateForm,
    GroupSettingsForm,
    InviteForm,
    JoinForm,
    MemberAddForm,
    MuteForm,
    NicknameForm,
    PolicyForm,
    ReasonForm,
    RecordForm,
    RuleListForm,
)
from .labels import client_group_name, label_for
from .membership import selectors as membership_selectors
from .membership import services as membership_services
from .models import (
    DutyKind,
    GroupMember,
    GroupTier,
    Invite,
    ManualDuty,
    MemberRole,
    MemberStatus,
    MessageStatus,
    RuleCategory,
)
from .moderation import selectors as moderation_selectors
from .moderation import services as moderation_services
from .policies import creatable_tiers, require_creator, rule_organisations
from .secretary import selectors as secretary_selectors
from .secretary import services as secretary_services

User = get_user_model()


# Logged-in users only (anonymous → login page, or 401 JSON for script calls); never cached: the one gate.
member_page = page(json_paths=("/events/", "/send/", "/upload/"))


def _ws_base(request: HttpRequest) -> str:
    """Where the page opens WebSockets: WEBSOCKET_URL, or this origin."""
    if django_settings.WEBSOCKET_URL:
        return django_settings.WEBSOCKET_URL.rstrip("/")
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}"


# ---------------------------------------------------------------------------------------------- lists

@member_page
def group_list(request: HttpRequest) -> HttpResponse:
    """My groups with unread counts; create buttons by role; my private threads; open alerts."""
    scope = scope_for(request.user)
    return render(request, "groups/group_list.html", {
        "groups": membership_selectors.group_list(actor=request.user),
        "threads": chat_selectors.my_threads(actor=request.user),
        "tiers": [(t, GroupTier(t).label) for t in creatable_tiers(request.user)],
        "open_alerts": alert_selectors.open_alert_count(actor=request.user) if scope.is_staff_member else 0,
        "can_rules": bool(scope.roles & {Role.ORG_ADMIN, Role.SOCIAL_WORKER}),
        "is_staff": scope.is_staff_member
    })


@member_page
def group_create(request: HttpRequest, tier: int) -> HttpResponse:
    """Create a resident group (tier 1) or a consultation group (tiers 2, 3)."""
    if tier not in (1, 2, 3):
        raise ObjectNotFound(tier)
    require_creator(request.user, tier=tier)
    from sanshe.places.models import Building, Community, Compound

    communities = Community.objects.for_actor(request.user, "view").order_by("name")
    compounds = Compound.objects.for_actor(request.user, "view").select_related("community").order_by("name")
    buildings = (Building.objects.for_actor(request.user, "view").select_related("compound")
                 .order_by("compound__name", "sort_key"))
    # Building stewards see their buildings' compounds too (a steward builds their building's group).
    steward_compounds = Compound.objects.filter(pk__in=buildings.values("compound_id"))
    compounds = (compounds | steward_compounds).distinct()
    communities = (communities | Community.objects.filter(pk__in=buildings.values("community_id"))).distinct()
    form = GroupCreateForm(request.POST or None, tier=tier, communities=communities, compounds=compounds,
                           buildings=buildings, initial={"community": communities.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = membership_services.group_create(actor=request.user, tier=tier, community=data["community"],
                                                     compound=data.get("compound"), building=data.get("building"),
                                                     name=data["name"], capacity=data["capacity"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已建群。下一步：添加成员或生成入群二维码。"))
            return redirect("groups:manage", group.pk)
    return render(request, "groups/group_form.html", {"form": form, "tier_label": GroupTier(tier).label,
                                                      "tier": tier})


# ---------------------------------------------------------------------------------------------- chat

def _chat_context(request: HttpRequest, group, thread=None) -> dict:
    user = request.user
    last_seq = thread.last_seq if thread else group.last_seq
    if thread is None:
        rights = chat_selectors.chat_rights(actor=user, group=group)
        can_post, reason, manage = rights.posting.allowed, rights.posting.reason, rights.manage
        member = rights.member
        if member is not None and member.status == MemberStatus.ACTIVE:
            chat_services.read_mark(actor=user, group=group, seq=last_seq)
        stream_url = f"{_ws_base(request)}/ws/groups/{group.pk}/"
        base = reverse("groups:chat", args=[group.pk])
    else:
        member = membership_selectors.membership_of(group=group, user=user)
        participant = user.pk in (thread.client_id, thread.helper_id)
        can_post, reason, manage = participant, "" if participant else _("您在查看他人的私聊（已记录），不能发言。"), False
        if participant:
            chat_services.read_mark(actor=user, group=group, seq=last_seq, thread=thread)
        stream_url = f"{_ws_base(request)}/ws/groups/threads/{thread.pk}/"
        base = reverse("groups:thread", args=[thread.pk])
    # A draft carried over (a held message moved into a private thread, or a send that failed without script).
    template_text = request.session.pop("groups_draft", "") if can_post else ""
    if request.GET.get("template") and member is not None and member.is_staff_role:
        try:
            template_text = secretary_services.template_render(group=group, key=request.GET["template"])
        except ValidationError:
            template_text = ""
    shown_name, show_tier = label_for(group, member.role if member and member.status == MemberStatus.ACTIVE
                                      else None)
    viewer = chat_render.chat_viewer(user=user, group=group, thread=thread, manage=manage, member=member)
    rows = chat_selectors.stream_messages(actor=user, group=group, thread=thread)
    payloads = chat_render.message_items(user, rows, group=group, thread=thread, viewer=viewer)
    mention_names = []
    if thread is None:
        mention_names = list(GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE)
                             .exclude(user=user).values_list("nickname", flat=True)[:500])
    return {
        "group": group, "shown_name": shown_name, "show_tier": show_tier, "thread": thread,
        "messages_payload": payloads, "last_seq": last_seq,
        "can_post": can_post, "post_reason": reason, "manage": manage, "member": member,
        "is_staff_member": bool(member and member.is_staff_role),
        "is_client": bool(member and not member.is_staff_role and member.status == MemberStatus.ACTIVE),
        "ws_url": stream_url, "events_url": base + "events/", "send_url": base + "send/",
        "upload_url": reverse("groups:upload", args=[group.pk]),
        "history_url": base + "history/", "oldest_seq": payloads[0]["seq"] if payloads and payloads[0]["seq"] else 0,
        "template_text": template_text, "mention_names": [n for n in mention_names if n],
        "warnings": moderation_selectors.warnings_for(group=group, user=user) if member and thread is None else [],
        "held_count": len(moderation_selectors.held_messages(group=group)) if manage else 0,
        "open_alerts": alert_selectors.open_alert_count(actor=user) if member and member.is_staff_role else 0,
        "flags_url": base + "flags/" if scope_for(user).is_staff_member else "",
        "echo_html": chat_render.echo_html(group=group, thread=thread, viewer=viewer),
    }


@member_page
def chat(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group's chat page (mobile-first; live over WebSocket, with polling as a fallback).

    A client who was moved to another group and opens the old link (bookmarked, or from a chat notice) is
    taken to the group they are in now; anyone else who is not in the group gets the same 404 as always.
    """
    try:
        group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    except ObjectNotFound:
        moved_to = membership_selectors.moved_to_group(actor=request.user, group_id=group_id)
        if moved_to is None:
            raise
        messages.info(request, _("您已转到新的交流群，原来的群链接已自动跳转到这里。"))
        return redirect("groups:chat", moved_to.pk)
    return render(request, "groups/chat.html", _chat_context(request, group))


@member_page
def thread_chat(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A private thread (私聊): its two participants, and the group's admin (audited)."""
    thread = chat_selectors.access_thread(actor=request.user, thread_id=thread_id)
    chat_services.thread_read_by_admin(actor=request.user, thread=thread)
    return render(request, "groups/chat.html", _chat_context(request, thread.group, thread))


def _stream(request: HttpRequest, group_id: int | None, thread_id: int | None):
    """The stream's group and thread, checked like the chat page on every request (nothing is cached)."""
    if thread_id is not None:
        thread = chat_selectors.access_thread(actor=request.user, thread_id=thread_id)
        return thread.group, thread
    return membership_selectors.access_group(actor=request.user, group_id=group_id), None


@member_page
@background_poll
def stream_events(request: HttpRequest, group_id: int | None = None, thread_id: int | None = None) -> JsonResponse:
    """Polling fallback and catch-up: the stream's events after `after`."""
    group, thread = _stream(request, group_id, thread_id)
    return JsonResponse(chat_protocol.catch_up(
        request.user, group=group, thread=thread, after_seq=int_param(request.GET.get("after")) or 0,
        viewer=chat_render.chat_viewer(user=request.user, group=group, thread=thread)))


@member_page
@require_POST
def stream_send(request: HttpRequest, group_id: int | None = None, thread_id: int | None = None) -> HttpResponse:
    """Send without WebSocket (fallback, and the no-script form): the socket's protocol, the same idempotent
    client id; a picture may come with the form itself."""
    group, thread = _stream(request, group_id, thread_id)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    back = reverse("groups:thread", args=[thread.pk]) if thread else reverse("groups:chat", args=[group.pk])
    send = chat_protocol.SendRequest.parse(request.POST)
    try:
        if request.FILES.get("image") is not None:
            send = dataclasses.replace(send, image_id=chat_services.image_upload(
                actor=request.user, group=group, data=request.FILES["image"].read()).pk)
    except ValidationError as error:
        answer = chat_protocol.refused(send.client_id, error)
    else:
        answer = chat_protocol.send(request.user, group=group, thread=thread, request=send)
    if wants_json:
        return JsonResponse(answer, status=400 if answer["type"] == "refused" else 200)
    if answer["type"] == "refused":
        messages.error(request, answer["error"])
        request.session["groups_draft"] = request.POST.get("body", "")
        return redirect(back)
    if answer["status"] == MessageStatus.HELD:
        messages.warning(request, _("消息需群管理员审核后显示。"))
    return redirect(back + "#bottom")


@member_page
def stream_history(request: HttpRequest, group_id: int | None = None, thread_id: int | None = None) -> HttpResponse:
    """Older messages (before a seq), as list items for the chat log."""
    group, thread = _stream(request, group_id, thread_id)
    before = int_param(request.GET.get("before"))
    rows = chat_selectors.stream_messages(actor=request.user, group=group, thread=thread, before_seq=before)
    if thread is not None and rows:
        chat_services.thread_read_by_admin(actor=request.user, thread=thread)  # audited like the page
    viewer = chat_render.chat_viewer(user=request.user, group=group, thread=thread)
    payloads = chat_render.message_items(request.user, rows, group=group, thread=thread, viewer=viewer)
    return render(request, "groups/_history.html", {
        "messages_payload": payloads, "oldest_seq": payloads[0]["seq"] if payloads else 0,
        "history_url": request.path,
    })


@member_page
@require_GET
@background_poll
def stream_flags(request: HttpRequest, group_id: int | None = None, thread_id: int | None = None) -> JsonResponse:
    """The markers of flagged messages that arrived live (`?ids=1,2`): message id → the marker's HTML ("flags"),
    and the message's item re-rendered with it by the one template ("messages": what a reload would show; the
    page swaps it in). Only the alerts the reader may see; nothing for residents."""
    group, thread = _stream(request, group_id, thread_id)
    ids = [int_param(part) for part in request.GET.get("ids", "").split(",")[:100]]
    if not scope_for(request.user).is_staff_member:
        return JsonResponse({"flags": {}})
    flags = chat_selectors.message_flags(actor=request.user, group=group, thread=thread, message_ids=ids)
    items = chat_render.flagged_items(request.user, group=group, thread=thread, message_ids=ids,
                                      viewer=chat_render.chat_viewer(user=request.user, group=group, thread=thread))
    answer: dict = {"flags": {str(message_id): render_to_string("groups/_message_flag.html", {"flag": flag})
                              for message_id, flag in flags.items()}}
    if items:
        answer["messages"] = items
    return JsonResponse(answer)


@member_page
@require_POST
def image_upload(request: HttpRequest, group_id: int) -> JsonResponse:
    """Upload a picture for the next message: {image_id, url} or a Chinese error."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    upload = request.FILES.get("image")
    try:
        image = chat_services.image_upload(actor=request.user, group=group, data=upload.read() if upload else b"")
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse({"image_id": image.pk, "url": reverse("groups:image", args=[group.pk, image.pk]),
                         "width": image.width, "height": image.height})


@member_page
def image(request: HttpRequest, group_id: int, image_id: int) -> HttpResponse:
    """A chat picture, only to those who may read the stream it was sent in (never a public media URL)."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    from .models import ChatImage, Message

    picture = ChatImage.objects.filter(pk=image_id, group=group).first()
    if picture is None:
        raise ObjectNotFound(image_id)
    sent = Message.objects.filter(image=picture).first()
    if sent is None:
        if picture.uploaded_by_id != request.user.pk:
            raise ObjectNotFound(image_id)
    else:
        chat_selectors.access_message(actor=request.user, message_id=sent.pk)
        if sent.status != MessageStatus.PUBLISHED and sent.sender_id != request.user.pk and not membership_selectors.can_manage(
                actor=request.user, group=group):
            raise ObjectNotFound(image_id)
    response = FileResponse(picture.file.open("rb"), content_type=picture.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------- members

@member_page
def members(request: HttpRequest, group_id: int) -> HttpResponse:
    """Members, join requests, nickname check; managers add, mute, warn and remove."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    manage = membership_selectors.can_manage(actor=request.user, group=group)
    me = membership_selectors.membership_of(group=group, user=request.user)
    rows = membership_selectors.member_list(group=group)
    problems = {m.pk: p for m, p in secretary_services.nickname_problems(group=group)}
    add_form = None
    if manage:
        add_form = MemberAddForm(candidates=_candidates(request.user, group))
    shown_name, show_tier = label_for(group, me.role if me and me.status == MemberStatus.ACTIVE else None)
    return render(request, "groups/members.html", {
        "shown_name": shown_name, "show_tier": show_tier, "group": group, "rows": rows, "problems": problems, "manage": manage, "me": me,
        "is_staff_member": bool(me and me.is_staff_role), "add_form": add_form,
        "nickname_form": NicknameForm(initial={"nickname": me.nickname if me else ""}),
        "mute_form": MuteForm(), "settings": membership_selectors.group_settings(group), "now": timezone.now(),
    })


def _candidates(actor, group):
    """Who a manager may add: staff of the group's organisation, and residents they can see."""
    from sanshe.accounts.responsible import organisation_member_ids
    from sanshe.people.models import Person

    staff = organisation_member_ids(group.organisation_id)
    residents = Person.objects.for_actor(actor, "view").filter(user__isnull=False).values("user_id")
    in_group = GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).values("user_id")
    return (User.objects.filter(is_active=True).filter(Q(pk__in=staff) | Q(pk__in=residents))
            .exclude(pk__in=in_group).order_by("username"))


def _member_or_404(group, member_id: int) -> GroupMember:
    member = GroupMember.objects.filter(group=group, pk=member_id).select_related("user", "group").first()
    if member is None:
        raise ObjectNotFound(member_id)
    return member


def _service_call(request: HttpRequest, call: Callable[[], object], success: str, back: str) -> HttpResponse:
    try:
        call()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if success:
            messages.success(request, success)
    return redirect(back)


@member_page
@require_POST
def member_add(request: HttpRequest, group_id: int) -> HttpResponse:
    group = membership_selectors.access_group(actor=request.user, group_id=group_id, action="manage")
    form = MemberAddForm(request.POST, candidates=_candidates(request.user, group))
    back = reverse("groups:members", args=[group.pk])
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    return _service_call(request, lambda: membership_services.member_add(actor=request.user, group=group, user=data["user"],
                                                                         role=data["role"], nickname=data["nickname"]),
                         _("已添加成员。"), back)


@member_page
@require_POST
def member_action(request: HttpRequest, group_id: int, member_id: int, action: str) -> HttpResponse:
    """approve / decline / mute / unmute / warn / remove / rename on one member."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    member = _member_or_404(group, member_id)
    back = reverse("groups:members", args=[group.pk])
    reason = request.POST.get("reason", "").strip()
    actions: dict[str, tuple[Callable[[], object], str]] = {
        "approve": (lambda: membership_services.join_decide(actor=request.user, member=member, approve=True), _("已同意入群。")),
        "decline": (lambda: membership_services.join_decide(actor=request.user, member=member, approve=False), _("已拒绝。")),
        "unmute": (lambda: moderation_services.member_unmute(actor=request.user, member=member), _("已解除禁言。")),
        "warn": (lambda: moderation_services.member_warn(actor=request.user, member=member, reason=reason or _("违反群规")),
                 _("已警告，对方会收到提醒。")),
        "remove": (lambda: moderation_services.member_remove(actor=request.user, member=member, reason=reason),
                   _("已移出群。")),
        "rename": (lambda: membership_services.member_rename(actor=request.user, member=member,
                                                             nickname=request.POST.get("nickname", "")), _("群昵称已修改。")),
    }
    if action == "mute":
        form = MuteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写 1 分钟到 30 天之间的禁言时长。"))
            return redirect(back)
        return _service_call(request, lambda: moderation_services.member_mute(
            actor=request.user, member=member, minutes=form.cleaned_data["minutes"],
            reason=form.cleaned_data["reason"]), _("已禁言。"), back)
    if action not in actions:
        raise ObjectNotFound(action)
    call, success = actions[action]
    return _service_call(request, call, success, back)


@member_page
@require_POST
def my_nickname(request: HttpRequest, group_id: int) -> HttpResponse:
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    member = membership_selectors.membership_of(group=group, user=request.user)
    if member is None:
        raise ObjectNotFound(group_id)
    return _service_call(request, lambda: membership_services.member_rename(actor=request.user, member=member,
                                                                            nickname=request.POST.get("nickname", "")),
                         _("群昵称已修改。"), reverse("groups:members", args=[group.pk]))


@member_page
@require_POST
def leave(request: HttpRequest, group_id: int) -> HttpResponse:
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    try:
        membership_services.member_leave(actor=request.user, group=group)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("groups:members", group.pk)
    messages.success(request, _("已退出该群。"))
    return redirect("groups:list")


@member_page
@require_POST
def nickname_remind(request: HttpRequest, group_id: int) -> HttpResponse:
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    try:
        result = secretary_services.nickname_remind(actor=request.user, group=group)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("groups:members", group.pk)
    messages.success(request, _("已在群内提醒。") if result else _("所有成员的群昵称都符合规范。"))
    return redirect("groups:chat", group.pk)


# ---------------------------------------------------------------------------------------------- manage

@member_page
def manage(request: HttpRequest, group_id: int) -> HttpResponse:
    """Settings, announcement, invite links / QR codes and manual duty."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id, action="manage")
    current = membership_selectors.group_settings(group)
    settings_form = GroupSettingsForm(initial={"name": group.name, "capacity": group.capacity, **current.to_json()})
    announcement_form = AnnouncementForm(initial={"announcement": group.announcement})
    invite_form = InviteForm(initial={"days": current.invite_days,
                                      "requires_approval": current.join_requires_approval})
    duty_form = DutyForm(staff_users=_staff_users(group))
    section = request.POST.get("section", "")
    if request.method == "POST":
        forms_by_section = {"settings": settings_form, "announcement": announcement_form, "invite": invite_form,
                            "duty": duty_form}
        if section not in forms_by_section:
            raise ObjectNotFound(section)
        form = type(forms_by_section[section])(request.POST, **({"staff_users": _staff_users(group)}
                                                                if section == "duty" else {}))
        forms_by_section[section] = form
        if form.is_valid():
            try:
                done = _manage_save(request, group, section, form)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(reverse("groups:manage", args=[group.pk]) + f"#{section}")
        settings_form, announcement_form = forms_by_section["settings"], forms_by_section["announcement"]
        invite_form, duty_form = forms_by_section["invite"], forms_by_section["duty"]
    return render(request, "groups/manage.html", {
        "group": group, "settings_form": settings_form, "announcement_form": announcement_form,
        "invite_form": invite_form, "duty_form": duty_form,
        "invites": membership_selectors.invite_list(group=group), "duties": membership_selectors.duty_list(group=group, now=timezone.now()),
        "now": timezone.now(), "member_count": membership_selectors.active_member_count(group=group),
        "overflow_groups": group.overflow_groups.all(),
    })


def _staff_users(group):
    staff = GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).exclude(
        role__in=[MemberRole.CLIENT, MemberRole.RESIDENT]).values("user_id")
    return User.objects.filter(pk__in=staff).order_by("username")


def _manage_save(request: HttpRequest, group, section: str, form) -> str:
    data = form.cleaned_data
    if section == "settings":
        membership_services.group_update(actor=request.user, group=group, name=data["name"], capacity=data["capacity"],
                                         settings=form.settings())
        return _("群设置已保存。")
    if section == "announcement":
        membership_services.announcement_set(actor=request.user, group=group, text=data["announcement"])
        return _("群公告已更新，聊天页顶部会立即显示。") if data["announcement"] else _("已撤下群公告。")
    if section == "invite":
        membership_services.invite_create(actor=request.user, group=group, days=data["days"], max_uses=data["max_uses"],
                                          requires_approval=data["requires_approval"])
        return _("已生成入群链接和二维码。")
    membership_services.duty_set(actor=request.user, group=group, user=data["user"], kind=data["kind"],
                                 starts_at=data["starts_at"], ends_at=data["ends_at"])
    return _("已设置值班。")


@member_page
@require_POST
def invite_revoke(request: HttpRequest, invite_id: int) -> HttpResponse:
    invite = Invite.objects.for_actor(request.user, "manage").select_related("group").filter(pk=invite_id).first()
    if invite is None:
        raise ObjectNotFound(invite_id)
    membership_services.invite_revoke(actor=request.user, invite=invite)
    messages.success(request, _("链接已作废。"))
    return redirect(reverse("groups:manage", args=[invite.group_id]) + "#invite")


@member_page
def invite_qr(request: HttpRequest, invite_id: int) -> HttpResponse:
    """The invite's QR code as SVG (printable, sharable), made by the app itself."""
    import io

    import segno

    invite = Invite.objects.for_actor(request.user, "manage").filter(pk=invite_id).first()
    if invite is None:
        raise ObjectNotFound(invite_id)
    url = request.build_absolute_uri(reverse("groups:join", args=[invite.token]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@member_page
def invite_print(request: HttpRequest, invite_id: int) -> HttpResponse:
    """A printable A4 poster with the QR code and the link."""
    invite = Invite.objects.for_actor(request.user, "manage").select_related("group").filter(pk=invite_id).first()
    if invite is None:
        raise ObjectNotFound(invite_id)
    return render(request, "groups/invite_print.html", {
        "invite": invite, "url": request.build_absolute_uri(reverse("groups:join", args=[invite.token]))})


@member_page
@require_POST
def duty_cancel(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = ManualDuty.objects.for_actor(request.user, "manage").filter(pk=duty_id).first()
    if duty is None:
        raise ObjectNotFound(duty_id)
    membership_services.duty_cancel(actor=request.user, duty=duty)
    messages.success(request, _("已取消该班次。"))
    return redirect(reverse("groups:manage", args=[duty.group_id]) + "#duty")


def join(request: HttpRequest, token: str) -> HttpResponse:
    """Join by link / QR code. Residents log in first (one-time code), then come back here."""
    invite = Invite.objects.select_related("group__compound", "group__building", "group__community").filter(
        token=token).first()
    problem = membership_services.invite_problem(invite)
    if not request.user.is_authenticated:
        if problem:
            return render(request, "groups/join.html", {"problem": problem}, status=410)
        return redirect_to_login(request.get_full_path())
    form = JoinForm(request.POST or None)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            member = membership_services.invite_accept(actor=request.user, token=token, title=form.cleaned_data["title"])
        except ValidationError as error:
            problem = "；".join(error.messages)
        else:
            if member.status == MemberStatus.PENDING:
                messages.info(request, _("已提交入群申请，群管理员审核通过后即可发言。"))
                return redirect("groups:list")
            messages.success(request, _("欢迎加入“%(name)s”！") % {"name": client_group_name(member.group)})
            return redirect("groups:chat", member.group_id)
    response = render(request, "groups/join.html", {"invite": invite, "form": form, "problem": problem,
                                                    "shown_name": client_group_name(invite.group) if invite else ""})
    add_never_cache_headers(response)
    return response


# ---------------------------------------------------------------------------------------------- moderation

@member_page
def moderation(request: HttpRequest, group_id: int) -> HttpResponse:
    """The admin's review queue (held messages with the rule they matched) and the moderation log."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id, action="manage")
    held = moderation_selectors.held_messages(group=group)
    nicknames, _roles = chat_selectors.stream_names(group=group, user_ids={m.sender_id for m in held})
    from .models import RuleCategory as RC

    labels = dict(RC.choices)
    rows = [{"message": m, "sender": nicknames.get(m.sender_id, str(m.sender)),
             "categories": [labels.get(c, c) for c in m.held_categories],
             "rumour": m.held_rumour if (m.held_rumour or {}).get("debunk") else None,
             "debunk_text": moderation_services.debunk_text(m.held_rumour) if (m.held_rumour or {}).get("debunk") else ""}
            for m in held]
    return render(request, "groups/moderation.html", {
        "group": group, "rows": rows, "log": moderation_selectors.moderation_log(group=group), "reason_form": ReasonForm(),
    })


@member_page
@require_POST
def message_action(request: HttpRequest, group_id: int, message_id: int, action: str) -> HttpResponse:
    """approve / reject / reject_warn / delete (managers) and report (members) on one message."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    message = chat_selectors.access_message(actor=request.user, message_id=message_id, group=group)
    reason = request.POST.get("reason", "").strip()
    back = safe_next(request, reverse("groups:moderation", args=[group.pk]))
    calls: dict[str, tuple[Callable[[], object], str]] = {
        "approve": (lambda: moderation_services.message_review(actor=request.user, message=message, approve=True,
                                                               reason=reason), _("已通过，消息已在群内显示。")),
        "reject": (lambda: moderation_services.message_review(actor=request.user, message=message, approve=False,
                                                              reason=reason), _("已驳回删除。")),
        "reject_warn": (lambda: moderation_services.message_review(actor=request.user, message=message, approve=False,
                                                                   reason=reason or _("违反群规"), warn=True),
                        _("已驳回并警告发送人。")),
        "debunk": (lambda: moderation_services.message_debunk_reply(actor=request.user, message=message),
                   _("已驳回这条谣言，并把辟谣发到了群里。")),
        "delete": (lambda: moderation_services.message_delete(actor=request.user, message=message,
                                                              reason=reason or _("违反群规")), _("已删除该消息。")),
        "report": (lambda: moderation_services.message_report(actor=request.user, message=message, reason=reason),
                   _("已举报，谢谢。群管理员会尽快处理。")),
    }
    if action not in calls:
        raise ObjectNotFound(action)
    call, success = calls[action]
    if request.headers.get("Accept", "").startswith("application/json"):
        try:
            call()
        except ValidationError as error:
            return JsonResponse({"error": "；".join(error.messages)}, status=400)
        return JsonResponse({"ok": True, "message": success})
    return _service_call(request, call, success, back)


# ---------------------------------------------------------------------------------------------- threads

@member_page
@require_POST
def thread_open(request: HttpRequest, group_id: int, kind: str) -> HttpResponse:
    """私聊值班员: open (or reopen) the private thread with the on-duty helper of `kind`."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    if kind not in (DutyKind.MEDICAL, DutyKind.PSYCHOLOGICAL):
        raise ObjectNotFound(kind)
    try:
        thread = chat_services.thread_open(actor=request.user, group=group, kind=kind)
    except ValidationError as error:
        messages.warning(request, "；".join(error.messages))
        return redirect("groups:chat", group.pk)
    draft = request.POST.get("draft", "").strip()[:service_base.MAX_BODY_CHARS]
    if draft:  # the held message's text, ready to send privately (the sender still decides to send it)
        request.session["groups_draft"] = draft
    return redirect("groups:thread", thread.pk)


@member_page
@require_POST
def thread_with(request: HttpRequest, group_id: int, user_id: int) -> HttpResponse:
    """A helper on duty or the admin opens a private thread with a member (one tap from a risk alert)."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    client = User.objects.filter(pk=user_id).first()
    if client is None:
        raise ObjectNotFound(user_id)
    try:
        thread = chat_services.thread_open_with(actor=request.user, group=group, client=client)
    except ValidationError as error:
        messages.warning(request, "；".join(error.messages))
        return redirect(safe_next(request, reverse("groups:alerts")))
    return redirect("groups:thread", thread.pk)


@member_page
def threads(request: HttpRequest, group_id: int) -> HttpResponse:
    """Private threads of a group that the user may see (their own; all of them for the group's admin)."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    return render(request, "groups/threads.html", {"group": group,
                                                   "rows": chat_selectors.thread_list(actor=request.user, group=group)})


# ---------------------------------------------------------------------------------------------- secretary

@member_page
def tools(request: HttpRequest, group_id: int) -> HttpResponse:
    """The secretary's tools: templates, nickname check, record requests."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    me = membership_selectors.membership_of(group=group, user=request.user)
    manage = membership_selectors.can_manage(actor=request.user, group=group)
    if not manage and (me is None or not me.is_staff_role):
        raise ActionForbidden(_("只有群内工作人员可以使用秘书工具。"))
    return render(request, "groups/tools.html", {
        "group": group, "templates": [(k, v[0]) for k, v in secretary_services.DEFAULT_TEMPLATES.items()],
        "problems": secretary_services.nickname_problems(group=group), "records": secretary_selectors.record_requests(group=group),
        "settings": membership_selectors.group_settings(group),
    })


@member_page
def record(request: HttpRequest, group_id: int) -> HttpResponse:
    """"Record this": pick messages (the tapped one preselected) and keep them for a consultation record."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    me = membership_selectors.membership_of(group=group, user=request.user)
    if not membership_selectors.can_manage(actor=request.user, group=group) and (me is None or not me.is_staff_role):
        raise ActionForbidden(_("只有群内工作人员可以记录咨询。"))
    selected = {int_param(x) for x in request.GET.getlist("m")} - {None}
    form = RecordForm(request.POST or None, initial={"message_ids": ",".join(str(i) for i in selected)})
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("pick") if x.isdigit()]
        data = request.POST.copy()
        data["message_ids"] = ",".join(str(i) for i in ids) or request.POST.get("message_ids", "")
        form = RecordForm(data)
        if form.is_valid():
            try:
                secretary_services.record_request_create(actor=request.user, group=group,
                                                         message_ids=form.cleaned_data["message_ids"],
                                                         note=form.cleaned_data["note"],
                                                         consult_kind=form.cleaned_data["consult_kind"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已保存待记录内容：在“秘书工具”或“服务记录 › 待记录咨询”中点“生成咨询记录”。"))
                return redirect("groups:tools", group.pk)
        selected = set(ids)
    # The last hour's messages, or a search of the last day's; never a whole day to scroll through.
    pick = secretary_selectors.record_pick_messages(group=group, query=(request.GET.get("q") or "")[:50], selected=selected)
    nicknames, _roles = chat_selectors.stream_names(group=group, user_ids={m.sender_id for m in pick.messages})
    return render(request, "groups/record.html", {
        "group": group, "form": form, "selected": selected, "pick": pick,
        "rows": [{"message": m, "sender": nicknames.get(m.sender_id, str(m.sender))} for m in pick.messages],
    })


# ---------------------------------------------------------------------------------------------- alerts

@member_page
def alerts(request: HttpRequest) -> HttpResponse:
    """Risk alerts for me (highest first), with one-tap actions."""
    if not scope_for(request.user).is_staff_member:
        raise ActionForbidden(_("只有工作人员会收到风险预警。"))
    rows = alert_selectors.alert_list(actor=request.user)
    from .models import Group as GroupModel

    key_groups = list(GroupModel.objects.for_actor(request.user, "manage").filter(tier=GroupTier.KEY,
                                                                                   is_archived=False))
    from django.apps import apps as django_apps

    can_refer = can_start_crisis = False
    if alert_referral.handler() is not None:  # the cases feature takes referrals (sanshe.groups.alerts.referral)
        can_refer = gate.can(request.user, "cases.refer")
        # Social workers open the crisis protocol straight from the alert (sanshe.crisis); others refer.
        can_start_crisis = django_apps.is_installed("sanshe.crisis") and gate.can(request.user, "cases.manage")
    crises = handover.crisis_states(actor=request.user, alerts=rows)
    verdicts = feedback_selectors.alert_verdicts(actor=request.user, alert_ids=[a.pk for a in rows])
    return render(request, "groups/alerts.html", {
        "rows": [{"alert": a, "signals": [chatrisk.label(c) for c in a.signals], "crisis": crises.get(a.pk),
                  "verdict": verdicts.get(a.pk)} for a in rows],
        "key_groups": key_groups, "ack_form": AckForm(), "can_refer": can_refer and not can_start_crisis,
        "can_start_crisis": can_start_crisis,
        "can_detector": bool(scope_for(request.user).roles & {Role.ORG_ADMIN, Role.SOCIAL_WORKER}),
    })


@member_page
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_selectors.access_alert(actor=request.user, alert_id=alert_id)
    form = AckForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    alert = alert_services.alert_acknowledge(actor=request.user, alert=alert, note=note)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "ack_seconds": alert.ack_seconds})
    messages.success(request, _("已确认，请尽快联系当事人。"))
    return redirect("groups:alerts")


@member_page
@require_POST
def alert_refer(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Start a crisis case: refer the alert's subject to the social workers of their community."""
    alert = alert_selectors.access_alert(actor=request.user, alert_id=alert_id)
    return _service_call(request, lambda: alert_services.alert_refer(actor=request.user, alert=alert,
                                                                     note=request.POST.get("note", "")),
                         _("已转介给社区社会工作者（危机个案），可在转介收件箱跟进。"), reverse("groups:alerts"))


@member_page
@require_POST
def alert_move(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Move the alert's subject into a key accompaniment group."""
    alert = alert_selectors.access_alert(actor=request.user, alert_id=alert_id)
    target_id = int_param(request.POST.get("to_group"))
    member = GroupMember.objects.filter(group=alert.group, user_id=alert.subject_id).select_related("user").first()
    if member is None or target_id is None:
        messages.error(request, _("请选择要转入的重点陪助群。"))
        return redirect("groups:alerts")
    target = membership_selectors.access_group(actor=request.user, group_id=target_id, action="manage")
    return _service_call(request, lambda: membership_services.member_move(actor=request.user, member=member, to_group=target,
                                                                          reason=_("风险预警后转入重点陪助群")),
                         _("已转入重点陪助群。"), reverse("groups:alerts"))


# ---------------------------------------------------------------------------------------------- rules

@member_page
def rules_edit(request: HttpRequest) -> HttpResponse:
    """An organisation's rule lists (with the Chinese defaults) and its ladder and report thresholds."""
    organisations = rule_organisations(request.user)
    if not organisations.exists():
        raise ActionForbidden(_("只有机构管理员和社会工作者可以编辑群规。"))
    organisation = organisations.filter(pk=int_param(request.GET.get("org")) or 0).first() or organisations.first()
    policy = moderation_selectors.moderation_policy(organisation_id=organisation.pk)
    policy_form = PolicyForm(initial={f: getattr(policy, f) for f in PolicyForm.base_fields})
    list_forms = None
    if request.method == "POST":
        if request.POST.get("section") == "policy":
            policy_form = PolicyForm(request.POST)
            if policy_form.is_valid():
                try:
                    moderation_services.policy_save(actor=request.user, organisation=organisation,
                                                    values=policy_form.cleaned_data)
                except ValidationError as error:
                    apply_service_errors(policy_form, error)
                else:
                    messages.success(request, _("处置设置已保存。"))
                    return redirect(reverse("groups:rules") + f"?org={organisation.pk}")
        else:
            form = RuleListForm(request.POST)
            if form.is_valid():
                try:
                    moderation_services.rulelist_save(actor=request.user, organisation=organisation,
                                                      category=form.cleaned_data["category"], terms=form.cleaned_data["terms"],
                                                      is_active=form.cleaned_data["is_active"])
                except ValidationError as error:
                    apply_service_errors(form, error)
                    list_forms = {form.cleaned_data["category"]: form}
                else:
                    messages.success(request, _("词表已保存，新消息立即按新词表检查。"))
                    return redirect(reverse("groups:rules") + f"?org={organisation.pk}#{form.cleaned_data['category']}")
    rows = []
    for row in moderation_selectors.rule_lists(organisation_id=organisation.pk):
        form = (list_forms or {}).get(row["category"]) or RuleListForm(initial={
            "category": row["category"], "terms": row["terms"], "is_active": row["is_active"]})
        rows.append({**row, "form": form})
    return render(request, "groups/rules.html", {
        "organisation": organisation, "organisations": organisations, "rows": rows, "policy_form": policy_form,
        "categories": RuleCategory.choices,
    })
