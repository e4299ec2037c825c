"""What the deadline engine announces to whoever cares (paging, reports), without knowing them.

Receivers run inside the sender's transaction, so what they write commits or rolls back with it.
"""

from django.dispatch import Signal

# A breached deadline turned out to be done after all: ``retracted`` when a fact entered later shows
# it was met before its due time (the alarm was false), otherwise it was met late and the alarm has
# nothing left to ask of anyone. Arguments: deadline, breaches (its Breach rows), retracted, actor, reason.
deadline_alarm_settled = Signal()
