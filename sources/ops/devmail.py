"""The development e-mail backend: messages printed as a person reads them.

Django's console backend prints the encoded message, where quoted-printable
wraps long lines with `=` and escapes `=` in links, so a confirmation link
copied from the terminal does not work. This one prints the headers that matter
and the plain-text body decoded, links whole on their own lines.
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
            "",
            "-" * 79,
            "",
        ]
        self.stream.write("\n".join(lines))
