"""The nightly reminders: the plan (plan), the channels (channels, email, webhook), what was
delivered (ledger) and the delivery loop (send)."""
