"""Send one message with smtplib: plain, STARTTLS or implicit TLS, optional AUTH, a timeout."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from tosmonitor.notify.mailconfig import MailConfig


class SendError(RuntimeError):
    """The SMTP server could not be reached or did not accept the message; nothing was sent."""


def send(message: EmailMessage, config: MailConfig) -> dict[str, tuple[int, bytes]]:
    """Hand ``message`` to the server; return the recipients it refused (the others accepted it).

    Raises :class:`SendError` when the server is unreachable, the session fails, or every recipient
    is refused: then no recipient got the message.
    """
    where = f"SMTP server {config.host}:{config.port} ({config.security})"
    context = ssl.create_default_context()
    try:
        if config.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
            if config.user:
                client.login(config.user, config.password)
            return client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        refused = ", ".join(f"{addr} ({code} {text.decode(errors='replace')})"
                            for addr, (code, text) in error.recipients.items())
        raise SendError(f"{where} refused every recipient: {refused}") from None
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        raise SendError(f"{where} refused the message: {error.smtp_code} {text}") from None
    except smtplib.SMTPException as error:
        raise SendError(f"{where}: {error}") from None
    except ssl.SSLError as error:
        raise SendError(f"{where}: TLS failed: {error}") from None
    except OSError as error:
        raise SendError(f"cannot connect to {where}: {error.strerror or error}") from None
