"""What intake tells the apps built on the report (hotline, later chat), which it cannot import."""

from django.dispatch import Signal

# Sent inside the transaction that stores a new report, so whatever a receiver
# stores is kept with the report or not at all; a receiver that raises refuses
# the whole report. Arguments: ``report``, ``category`` and ``answers`` (the
# validated plaintext answers by question key, which exist only in memory).
report_submitted = Signal()
