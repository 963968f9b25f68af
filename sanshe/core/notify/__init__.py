"""The notify layer: outbox, delivery channels (in-app, SMS, WeCom), preferences and quiet hours, the one
real-time fan-out and the one escalation engine.

Public API (import from the sub-modules; nothing is imported here so the app loads before its models):
  services  notify_send, notification_mark_read, notifications_mark_all_read, preference_save,
            delivery_attempt, deliveries_retry_due, masked_name
  selectors notification_list, notification_get, unread_count, delivery_list
  fanout    channel_name, user_channel, layer_send, push, push_after_commit
  escalation ChainRule, EscalationHandler, escalate_overdue, first_deadline
  chains    CRISIS, CHAT_RISK, MEDICAL (pure chain rules)
  wecom     WeComRobot, WeComApp, WeComError
"""
