"""The nightly reminders: the plan, and its delivery."""
