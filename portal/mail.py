"""The development e-mail backend behind ``EMAIL_URL=console://``.

Django's console backend prints every message, body and addresses included, to standard
output, which a Celery worker turns into WARNING log lines: people's names and addresses in
the logs, at a level that pages someone. This one logs one INFO line per message (its subject
and how many recipients) and, only with ``DEBUG`` on, the body at DEBUG for a developer who
needs the link in it (``LOG_LEVEL=debug``). Real mail goes through ``smtp://`` or ``file://``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("portal.mail")


class LoggedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.info(
                "email not sent (console://)",
                extra={"subject": message.subject, "recipients": len(message.recipients())},
            )
            if settings.DEBUG:
                logger.debug("email body", extra={"body": message.body})
        return len(email_messages)
