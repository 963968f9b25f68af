"""The notify layer: outbox, delivery channels (in-app, SMS, WeCom), preferences and quiet hours, the one
real-time fan-out and the one escalation engine.

Public API (import from the sub-modules; nothing is imported here so the app loads before its models):
  services   notify_send, notify_sms, notify_robot, notification_mark_read, notifications_mark_all_read,
             preference_save, delivery_attempt, deliveries_retry_due, masked_name, in_quiet_hours
  selectors  notification_list, notification_get, unread_count, can_view_deliveries, delivery_list
  fanout     channel_name, user_channel, layer_send, push, push_after_commit, KINDS, USER_PUSH
  escalation EscalationHandler, escalate_overdue, escalate_one, recipients_add, recipients_told,
             escalation_history
  chains     ChainRule, first_tiers, first_deadline, next_deadline, tiers_to_try; CRISIS, CHAT_RISK, MEDICAL
  wecom      WeComRobot, WeComApp, WeComError, app_from_settings, robot_from_key
  sms        the SMS backends (console, HTTP webhook, memory)
  tasks      deliver_task, deliveries_retry_task
"""
