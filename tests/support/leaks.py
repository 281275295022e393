"""Finding a secret in output, in any form and in any piece of it.

Used with the echoing routes of tests/support/static_http.py: an endpoint that
answers with the request's own Authorization header and body.
"""

from __future__ import annotations

from generator.masking import forms

#: A client secret with characters that change under URL encoding, JSON
#: escaping and base64.
ECHOED = 'Zq8"vX+p/W\\k=3mR7tY9&uB2nC5'
ECHO_CLIENT = "echo-client"
#: Filler lengths that move an echoed secret across a 160- or 200-character cut.
PADS = range(0, 240, 3)


def leaked(text: str, secret: str = ECHOED, client_id: str = ECHO_CLIENT) -> list[str]:
    """Every 8-character piece of any form of ``secret`` found in ``text``
    (raw, URL-encoded, JSON-escaped, base64, HTTP Basic credentials): a
    message cut in the middle of a secret still shows a piece of it."""
    return sorted(
        {
            form[i : i + 8]
            for form in forms(secret, client_id=client_id)
            for i in range(len(form) - 7)
            if form[i : i + 8] in text
        }
    )
