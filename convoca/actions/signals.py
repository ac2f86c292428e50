"""Signals other apps connect to, explicitly, in their ``ready()``.

``signature_confirmed(signature=...)`` is sent by ``signature_confirm``
inside its transaction, once per signature, when the signer's address is
confirmed: what a receiver writes (a letter's deliveries, their outbox
emails) commits with the confirmation or not at all.
"""

from django.dispatch import Signal

signature_confirmed = Signal()
