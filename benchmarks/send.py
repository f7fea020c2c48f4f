"""Personal messages per second for the January 2025 example (``make benchmark``).

Prints how many personalised messages (merge fields, a signed unsubscribe
link, the whole MIME message serialised to bytes) are built per second on
one core by rendering once and filling each recipient in [target >= 1,000/s],
beside the rate when the edition is re-rendered for every recipient, and
when an ``email.message.EmailMessage`` is built per recipient.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from bulletin.commands.build import render_source
from bulletin.loading.source import load
from bulletin.mail.message import MessageTemplate
from bulletin.mail.recipients import Recipient
from bulletin.model.fields import fill_html, fill_text

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "examples" / "dscp-2025-01" / "edition.md"
SECRET = "benchmark-secret-not-for-real-use"


def recipients(count: int) -> list[Recipient]:
    return [
        Recipient(
            f"reader{number}@example.org",
            {"first_name": f"Reader {number}"},
            ascii_address=f"reader{number}@example.org",
        )
        for number in range(count)
    ]


def rate(count: int, build: Callable[[Recipient], bytes]) -> float:
    """Messages per second that ``build`` makes for ``count`` recipients."""
    people = recipients(count)
    start = time.perf_counter()
    for person in people:
        build(person)
    return count / (time.perf_counter() - start)


def main() -> None:
    source = load(EDITION)
    rendered = render_source(source)
    template = MessageTemplate(
        rendered, source.settings, source.edition.date, secret=SECRET
    )
    size = len(template.personal(recipients(1)[0]).data)

    def once(person: Recipient) -> bytes:
        return template.personal(person).data

    def per_message(person: Recipient) -> bytes:
        """The straightforward way: the email package, once per recipient."""
        values = template.values(person)
        message = EmailMessage(policy=SMTP)
        message["From"] = "Durham Safeguarding Children Partnership <news@example.org>"
        message["To"] = person.address
        message["Subject"] = rendered.subject
        message.set_content(fill_text(rendered.text, values), cte="quoted-printable")
        message.add_alternative(
            fill_html(rendered.html, values), subtype="html", cte="quoted-printable"
        )
        html = message.get_payload()[1]
        for asset in rendered.assets:
            maintype, _, subtype = asset.content_type.partition("/")
            html.add_related(asset.data, maintype, subtype, cid=f"<{asset.name}>")
        return message.as_bytes(policy=SMTP)

    def rerender(person: Recipient) -> bytes:
        again = render_source(source)
        fresh = MessageTemplate(
            again, source.settings, source.edition.date, secret=SECRET
        )
        return fresh.personal(person).data

    once(recipients(1)[0])
    best = max(rate(5_000, once) for _ in range(3))
    print(
        f"personal messages, rendered once and filled in: {best:,.0f}/s "
        f"({size / 1024:.0f} KB each)  [target >= 1,000/s]"
    )
    print(f"  an EmailMessage built per recipient:    {rate(200, per_message):,.0f}/s")
    print(f"  the edition re-rendered per recipient:  {rate(30, rerender):,.0f}/s")


if __name__ == "__main__":
    main()
