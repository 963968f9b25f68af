"""Pages of the library: search and browse, draft, review, merge, categories, import/export, the public FAQ,
and the suggestion panel beside a client's message in the group chat. Views parse, call, render."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors, int_param

from . import selectors, services, xlsx
from .forms import (
    CategoryForm,
    EntryForm,
    FromChatForm,
    ImportForm,
    MergeForm,
    PublishForm,
    RetireForm,
    debunk_from,
)
from .models import Category, EntryKind, EntryStatus
from .policies import (
    can_export,
    can_import,
    can_manage_categories,
    can_review,
    require_category_manager,
    require_exporter,
    require_importer,
    require_reviewer,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rights(user) -> dict:
    return {"can_review": can_review(user), "can_categories": can_manage_categories(user),
            "can_import": can_import(user), "can_export": can_export(user)}


# ---------------------------------------------------------------------------------------------- library

@page("knowledge.library")
def library(request: HttpRequest) -> HttpResponse:
    """Search (segmented, with synonyms and pinyin initials) or browse the entries the user may see."""
    text = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in selectors.STAFF_STATUSES else ""
    category_id = int_param(request.GET.get("category"))
    page_number = int_param(request.GET.get("page")) or 1
    context = {"q": text, "status": status, "category_id": category_id, "page": page_number,
               "categories": Category.objects.filter(is_active=True).order_by("sort_order", "pk"),
               "statuses": [("", _("已发布和草稿")), ("published", _("已发布")), ("draft", _("待审核")),
                            ("retired", _("已下架/合并"))], "today": timezone.localdate(),
               **_rights(request.user)}
    if text:
        limit = min(20 * page_number, 100)
        context["search"] = selectors.entry_search(actor=request.user, text=text, status=status,
                                                   category_id=category_id, limit=limit)
    else:
        context["rows"], context["has_next"] = selectors.entry_list(actor=request.user, status=status,
                                                                    category_id=category_id, page=page_number)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "knowledge/_results.html", context)
    return render(request, "knowledge/library.html", context)


def _form_categories(user):
    return selectors.reviewable_categories(actor=user)


@page("knowledge.library")
def entry_new(request: HttpRequest) -> HttpResponse:
    """Write an entry directly: it is saved as a draft for review."""
    debunk = request.GET.get("kind") == EntryKind.DEBUNK
    initial = {"kind": EntryKind.DEBUNK if debunk else EntryKind.QA}
    if debunk:
        initial["category"] = Category.objects.filter(name="辟谣", is_active=True).first()
    form = EntryForm(request.POST or None, initial=initial, categories=Category.objects.filter(is_active=True))
    del form.fields["note"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.entry_create(actor=request.user, question=data["question"], answer=data["answer"],
                                          category=data["category"], tags=data["tags"],
                                          valid_until=data["valid_until"], debunk=debunk_from(data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            _drafted_message(request, entry)
            return redirect("knowledge:detail", entry.pk)
    return render(request, "knowledge/entry_form.html", {"form": form, "title": _("新建辟谣条目") if debunk else _("新建条目"),
                                                         "creating": True})


def _drafted_message(request: HttpRequest, entry) -> None:
    flags = entry.duplicate_flags.count()
    if flags:
        messages.warning(request, _("已存为草稿。资源库里有 %(n)d 条相近的条目，审核人会决定是否合并。") % {"n": flags})
    else:
        messages.success(request, _("已存为草稿，等待审核后发布。"))


@page("knowledge.library")
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """An entry with its status, source, every version (editor, reviewer) and the reviewer's actions."""
    entry = selectors.access_entry(actor=request.user, entry_id=entry_id)
    detail = selectors.entry_detail(actor=request.user, entry=entry)
    default_until = None
    if entry.category_id:
        default_until = timezone.localdate() + timedelta(days=entry.category.default_valid_days)
    return render(request, "knowledge/entry_detail.html", {
        "d": detail, "entry": entry, "publish_form": PublishForm(initial={"valid_until": default_until}),
        "retire_form": RetireForm(), "today": timezone.localdate(), **_rights(request.user)})


@page("knowledge.library")
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Edit (the author while a draft; a reviewer of its field always); reviewers may save and publish."""
    entry = selectors.access_entry(actor=request.user, entry_id=entry_id, action="edit")
    detail = selectors.entry_detail(actor=request.user, entry=entry)
    categories = _form_categories(request.user) if detail.can_review else Category.objects.filter(is_active=True)
    until = entry.valid_until
    if until is None and entry.category_id:
        until = timezone.localdate() + timedelta(days=entry.category.default_valid_days)
    initial = {"question": entry.question, "answer": entry.answer, "category": entry.category,
               "tags": "、".join(entry.tag_names), "valid_until": until, "kind": entry.kind,
               "claim_variants": entry.claim_variants, "debunk_source": entry.debunk_source,
               "debunk_link": entry.debunk_link}
    form = EntryForm(request.POST or None, initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publish = "publish" in request.POST
        try:
            entry = services.entry_update(actor=request.user, entry=entry, question=data["question"],
                                          answer=data["answer"], category=data["category"], tags=data["tags"],
                                          valid_until=data["valid_until"], note=data["note"], publish=publish,
                                          debunk=debunk_from(data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已发布。") if publish else _("已保存。"))
            return redirect("knowledge:detail", entry.pk)
    return render(request, "knowledge/entry_form.html", {
        "form": form, "entry": entry, "title": _("修改条目"), "can_publish": detail.can_review,
        "published": entry.status == EntryStatus.PUBLISHED})


@page("knowledge.library")
@require_POST
def entry_publish(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.access_entry(actor=request.user, entry_id=entry_id, action="review")
    form = PublishForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["valid_until"][0])
        renewing = entry.status == EntryStatus.PUBLISHED
        services.entry_publish(actor=request.user, entry=entry, valid_until=form.cleaned_data["valid_until"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已复审续期。") if renewing else _("已发布。"))
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse("knowledge:review")
                    else reverse("knowledge:detail", args=[entry.pk]))


@page("knowledge.library")
@require_POST
def entry_retire(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.access_entry(actor=request.user, entry_id=entry_id, action="review")
    form = RetireForm(request.POST)
    form.is_valid()
    try:
        services.entry_retire(actor=request.user, entry=entry, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已下架：不再出现在常见问题和推荐答复中。"))
    return redirect("knowledge:detail", entry.pk)


@page("knowledge.library")
def entry_merge(request: HttpRequest, entry_id: int, other_id: int) -> HttpResponse:
    """Merge `other` into `entry`: both side by side, the merged text edited before saving."""
    target = selectors.access_entry(actor=request.user, entry_id=entry_id, action="review")
    source = selectors.access_entry(actor=request.user, entry_id=other_id, action="review")
    tags = list(dict.fromkeys(target.tag_names + source.tag_names))
    initial = {"question": target.question, "answer": target.answer, "tags": "、".join(tags)}
    form = MergeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.entry_merge(actor=request.user, target=target, source=source, question=data["question"],
                                 answer=data["answer"], tags=data["tags"] or "、".join(tags))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已合并：#%(s)d 并入 #%(t)d，两条的历史都保留。") % {"s": source.pk, "t": target.pk})
            return redirect("knowledge:detail", target.pk)
    return render(request, "knowledge/merge.html", {"form": form, "target": target, "source": source})


@page("knowledge.library")
@require_POST
def flag_dismiss(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = services.flag_dismiss(actor=request.user, flag_id=flag_id)
    messages.success(request, _("已标记为不重复。"))
    return redirect("knowledge:detail", flag.entry_id)


@page("knowledge.library")
def review(request: HttpRequest) -> HttpResponse:
    """The reviewer's queue: drafts in their fields, expired answers to re-review, answers about to expire."""
    require_reviewer(request.user)
    queue = selectors.review_queue(actor=request.user)
    return render(request, "knowledge/review.html", {"queue": queue, "today": timezone.localdate(),
                                                     **_rights(request.user)})


# ---------------------------------------------------------------------------------------------- from chat

@page("knowledge.library")
def from_chat(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark a client's message as a question and choose the staff reply that answered it: a draft with its source."""
    from sanshe.groups.selectors import access_message

    asked = access_message(actor=request.user, message_id=message_id)
    if not selectors.works_in_group(actor=request.user, group=asked.group):
        raise ActionForbidden(_("只有本群的工作人员可以把群里的问答收入资源库。"))
    replies = selectors.chat_replies(message=asked)
    preselect = int_param(request.GET.get("answer"))
    if preselect is None:
        replied_to = [m.pk for m in replies if m.reply_to_id == asked.pk]
        preselect = replied_to[0] if replied_to else (replies[0].pk if replies else None)
    form = FromChatForm(request.POST or None, replies=replies, categories=Category.objects.filter(is_active=True),
                        initial={"question": asked.body, "answer_message": preselect})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.entry_draft_from_chat(
                actor=request.user, question_message_id=asked.pk, answer_message_id=data["answer_message"],
                question=data["question"], answer=data["answer"], category=data["category"], tags=data["tags"])
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"answer": "answer"})
        else:
            _drafted_message(request, entry)
            return redirect("knowledge:detail", entry.pk)
    back = (reverse("groups:thread", args=[asked.thread_id]) if asked.thread_id
            else reverse("groups:chat", args=[asked.group_id])) + f"#m{asked.pk}"
    return render(request, "knowledge/from_chat.html", {"form": form, "asked": asked, "replies": replies,
                                                        "back": back})


# ---------------------------------------------------------------------------------------------- chat hook

def _stream(request: HttpRequest):
    from sanshe.groups.selectors import access_group, access_thread

    thread_id = int_param(request.GET.get("thread"))
    if thread_id:
        thread = access_thread(actor=request.user, thread_id=thread_id)
        return thread.group, thread
    group_id = int_param(request.GET.get("group"))
    if group_id is None:
        raise ObjectNotFound(0)
    return access_group(actor=request.user, group_id=group_id), None


@page("knowledge.library")
def chat_marks(request: HttpRequest) -> JsonResponse:
    """Which of the given chat messages came from clients (and which of those ask something)."""
    group, thread = _stream(request)
    if not selectors.works_in_group(actor=request.user, group=group):
        raise ActionForbidden(_("只有本群的工作人员能看到推荐答复。"))
    ids = [int(p) for p in request.GET.get("ids", "").split(",") if p.isdigit() and len(p) < 19][:200]
    clients, questions = selectors.chat_client_messages(actor=request.user, group=group, thread=thread, ids=ids)
    return JsonResponse({"clients": clients, "questions": questions})


def _panel_context(request: HttpRequest, asked) -> dict:
    from sanshe.groups.selectors import chat_rights

    if asked.thread_id:
        can_send = request.user.pk in (asked.thread.client_id, asked.thread.helper_id)
        reason = "" if can_send else _("您在查看他人的私聊，不能发送。")
    else:
        posting = chat_rights(actor=request.user, group=asked.group).posting
        can_send, reason = posting.allowed, posting.reason
    return {"asked": asked, "can_send": can_send, "reason": reason,
            "hits": selectors.suggest_answers(text=asked.body) if asked.body else [],
            "library_url": reverse("knowledge:library")}


@page("knowledge.library")
def chat_suggest(request: HttpRequest, message_id: int) -> HttpResponse:
    """The top published answers for one client message, to read and send (htmx panel in the chat)."""
    from sanshe.groups.selectors import access_message

    asked = access_message(actor=request.user, message_id=message_id)
    if not selectors.works_in_group(actor=request.user, group=asked.group):
        raise ActionForbidden(_("只有本群的工作人员能看到推荐答复。"))
    return render(request, "knowledge/_chat_panel.html", _panel_context(request, asked))


@page("knowledge.library")
@require_POST
def chat_send(request: HttpRequest) -> HttpResponse:
    """Send the answer the helper chose (one tap after reading it) as their reply to the client's message."""
    from sanshe.groups.selectors import access_message

    message_id = int_param(request.POST.get("message")) or 0
    entry_id = int_param(request.POST.get("entry")) or 0
    asked = access_message(actor=request.user, message_id=message_id)
    error = ""
    sent = None
    try:
        sent = services.suggestion_send(actor=request.user, entry_id=entry_id, question_message_id=asked.pk)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        back = reverse("groups:thread", args=[asked.thread_id]) if asked.thread_id else reverse(
            "groups:chat", args=[asked.group_id])
        return redirect(back + "#bottom")
    context = _panel_context(request, asked)
    context.update({"sent": sent, "error": error, "sent_entry": entry_id})
    return render(request, "knowledge/_chat_panel.html", context)


# ---------------------------------------------------------------------------------------------- categories

@page("knowledge.library")
def categories(request: HttpRequest) -> HttpResponse:
    """The categories (editable names, review field, order, default validity) and adding one."""
    require_category_manager(request.user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_create(actor=request.user, name=data["name"], field=data["field"],
                                     sort_order=data["sort_order"], default_valid_days=data["default_valid_days"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已添加分类。"))
            return redirect("knowledge:categories")
    rows = Category.objects.order_by("sort_order", "pk")
    return render(request, "knowledge/categories.html", {"rows": rows, "form": form})


@page("knowledge.library")
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    require_category_manager(request.user)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise ObjectNotFound(category_id)
    form = CategoryForm(request.POST or None, initial={
        "name": category.name, "field": category.field, "sort_order": category.sort_order,
        "default_valid_days": category.default_valid_days, "is_active": category.is_active})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_update(actor=request.user, category=category, name=data["name"], field=data["field"],
                                     sort_order=data["sort_order"], default_valid_days=data["default_valid_days"],
                                     is_active=data["is_active"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存分类。"))
            return redirect("knowledge:categories")
    return render(request, "knowledge/category_form.html", {"form": form, "category": category})


# ---------------------------------------------------------------------------------------------- xlsx

@page("knowledge.library")
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload an .xlsx: every row is checked first, and one bad row imports nothing (the list says why)."""
    require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is None:
                raise xlsx.KnowledgeFileError(_("请选择要导入的 Excel 文件。"))
            if upload.size > xlsx.MAX_IMPORT_BYTES:
                raise xlsx.KnowledgeFileError(_("文件太大（上限 10 MB）。请分成几个文件导入。"))
            rows = xlsx.read_import(upload.read())
            result = services.entries_import(actor=request.user, rows=rows, publish=form.cleaned_data["publish"])
        except xlsx.KnowledgeFileError as error:
            problems = [str(error)]
        except services.ImportProblems as error:
            problems = error.problems
        else:
            messages.success(request, _("导入完成：新增 %(c)d 条，更新 %(u)d 条（%(how)s）。") % {
                "c": result.created, "u": result.updated,
                "how": _("已发布") if result.published else _("待审核")})
            return redirect("knowledge:library")
    return render(request, "knowledge/import.html", {"form": form, "problems": problems[:100],
                                                     "more_problems": max(len(problems) - 100, 0)})


@page("knowledge.library")
def export_view(request: HttpRequest) -> HttpResponse:
    """Everything the user may see as .xlsx (text cells safe from formula injection)."""
    require_exporter(request.user)
    buffer = io.BytesIO()
    count = xlsx.write_export(selectors.export_entries(actor=request.user).iterator(chunk_size=500), buffer)
    services.export_record(actor=request.user, count=count)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="knowledge-{stamp}.xlsx"'
    return response


@page("knowledge.library")
def template_view(request: HttpRequest) -> HttpResponse:
    require_importer(request.user)
    buffer = io.BytesIO()
    xlsx.write_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="knowledge-template.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------- public FAQ

def faq(request: HttpRequest) -> HttpResponse:
    """Residents' FAQ: reviewed, still-valid answers by category, searchable; no login needed."""
    text = request.GET.get("q", "").strip()[:100]
    category_id = int_param(request.GET.get("category"))
    sections = selectors.faq_sections(text=text, category_id=category_id)
    return render(request, "knowledge/faq.html", {
        "sections": sections, "q": text, "category_id": category_id,
        "categories": Category.objects.filter(is_active=True).order_by("sort_order", "pk"),
        "found": sum(len(s.hits) for s in sections)})
