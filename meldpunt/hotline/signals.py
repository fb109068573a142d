"""What the hotline announces to the apps above it (they may not be imported here)."""

from django.dispatch import Signal

# Sent with ``reported_url`` when an address is still online after the reminder
# period: the provider gets a reminder notice and the address is escalated.
removal_overdue = Signal()
