from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/<int:tier>/", views.group_create, name="create"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views.alert_ack, name="alert_ack"),
    path("alerts/<int:alert_id>/move/", views.alert_move, name="alert_move"),
    path("alerts/<int:alert_id>/refer/", views.alert_refer, name="alert_refer"),
    path("rules/", views.rules_edit, name="rules"),
    path("join/<str:token>/", views.join, name="join"),
    path("invites/<int:invite_id>/qr.svg", views.invite_qr, name="invite_qr"),
    path("invites/<int:invite_id>/print/", views.invite_print, name="invite_print"),
    path("invites/<int:invite_id>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("duty/<int:duty_id>/cancel/", views.duty_cancel, name="duty_cancel"),
    path("threads/<int:thread_id>/", views.thread_chat, name="thread"),
    path("threads/<int:thread_id>/events/", views.stream_events, name="thread_events"),
    path("threads/<int:thread_id>/send/", views.stream_send, name="thread_send"),
    path("threads/<int:thread_id>/history/", views.stream_history, name="thread_history"),
    path("<int:group_id>/", views.chat, name="chat"),
    path("<int:group_id>/events/", views.stream_events, name="events"),
    path("<int:group_id>/send/", views.stream_send, name="send"),
    path("<int:group_id>/history/", views.stream_history, name="history"),
    path("<int:group_id>/upload/", views.image_upload, name="upload"),
    path("<int:group_id>/images/<int:image_id>/", views.image, name="image"),
    path("<int:group_id>/members/", views.members, name="members"),
    path("<int:group_id>/members/add/", views.member_add, name="member_add"),
    path("<int:group_id>/members/<int:member_id>/<str:action>/", views.member_action, name="member_action"),
    path("<int:group_id>/nickname/", views.my_nickname, name="my_nickname"),
    path("<int:group_id>/nickname-remind/", views.nickname_remind, name="nickname_remind"),
    path("<int:group_id>/leave/", views.leave, name="leave"),
    path("<int:group_id>/manage/", views.manage, name="manage"),
    path("<int:group_id>/moderation/", views.moderation, name="moderation"),
    path("<int:group_id>/messages/<int:message_id>/<str:action>/", views.message_action, name="message_action"),
    path("<int:group_id>/private/<str:kind>/", views.thread_open, name="thread_open"),
    path("<int:group_id>/private-with/<int:user_id>/", views.thread_with, name="thread_with"),
    path("<int:group_id>/threads/", views.threads, name="threads"),
    path("<int:group_id>/tools/", views.tools, name="tools"),
    path("<int:group_id>/record/", views.record, name="record"),
]
