"""The SMS backends moved to the notify layer (sanshe.core.notify.sms); SMS_BACKEND settings naming
`sanshe.accounts.sms.<Backend>` keep working through these names."""

from sanshe.core.notify.sms import (  # noqa: F401
    ConsoleSmsBackend,
    HttpSmsBackend,
    MemorySmsBackend,
    SmsBackend,
    SmsError,
    get_sms_backend,
    redact,
)
