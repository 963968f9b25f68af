"""Chat risk alerts: the alert chain (services), its reads (selectors) and the referral hook (referral)."""
