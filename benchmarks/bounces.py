"""``bulletin bounces --mbox`` over a 10,000-mail mailbox (``make benchmark``).

The mailbox is made from the test corpus (tests/mail/bounces: Microsoft 365,
Gmail, Postfix and Exim bounces, auto-replies, unsubscribe mails, replies and
malformed mails), each copy with its own Message-ID and reader, against a send
journal of 2,000 readers. The whole command runs in a fresh process (start-up,
reading the journal, classifying, writing the suppression list and the bounce
log), as an editor runs it; the rate is mails classified per second of the
whole run [target >= 500 mails/s].
"""

from __future__ import annotations

import mailbox
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bulletin.mail.recipients import Recipient
from bulletin.sending.journal import Fingerprint, Journal, journal_path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "mail" / "bounces"
MAILS = 10_000
READERS = 2_000
LIST_ID = "benchmark.example.org"
ROUNDS = 3


def _setup(folder: Path) -> Path:
    (folder / "bulletin.toml").write_text(
        "schema = 1\n"
        'publisher = "Benchmark Partnership"\n'
        f'list_id = "{LIST_ID}"\n'
        'unsubscribe_mailto = "unsubscribe@example.org"\n'
    )
    edition = folder / "edition.md"
    edition.write_text("---\ntitle: x\n---\n")
    recipients = [Recipient(f"reader{n}@example.org") for n in range(READERS)]
    with Journal.open(journal_path(LIST_ID, edition)) as journal:
        journal.begin(
            Fingerprint(str(edition), "Benchmark", "e" * 64, "r.csv", "l" * 64),
            recipients,
        )
        for n, recipient in enumerate(recipients):
            journal.sending(recipient.key, f"<{n:032x}.bench@example.org>", time.time())
            journal.sent(recipient.key, "250 OK")
    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    names = re.compile(
        rb"\b(ann|bob|carol|dave|erin|frank|grace|henry|ivy|jack|kate|leo|mia|"
        rb"nina|owen)@example\.org"
    )
    box = mailbox.mbox(folder / "bounces.mbox")
    box.lock()
    for n in range(MAILS):
        raw = corpus[n % len(corpus)]
        reader = n % READERS
        raw = names.sub(f"reader{reader}@example.org".encode(), raw)
        raw = re.sub(
            rb"<0{31}[0-9a-f]\.partnership-news-january-2025@example\.org>",
            f"<{reader:032x}.bench@example.org>".encode(),
            raw,
        )
        raw = re.sub(
            rb"(?im)^(Message-ID:\s*<)", f"\\g<1>copy{n}-".encode(), raw, count=1
        )
        box.add(raw)
    box.flush()
    box.unlock()
    box.close()
    return folder / "bounces.mbox"


def main() -> None:
    bulletin = Path(sys.executable).with_name("bulletin")
    rates = []
    for round_ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="bulletin-bounces-bench-") as tmp:
            folder = Path(tmp)
            env = dict(os.environ, BULLETIN_STATE_DIR=str(folder / "state"))
            source = _setup(folder)
            started = time.perf_counter()
            done = subprocess.run(
                [str(bulletin), "bounces", str(folder), "--mbox", str(source)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                sys.exit(f"bulletin bounces failed:\n{done.stdout}\n{done.stderr}")
            rate = MAILS / seconds
            rates.append(rate)
            summary = done.stdout.splitlines()[0]
            print(
                f"round {round_ + 1}: {MAILS:,} mails in {seconds:.2f} s = "
                f"{rate:,.0f} mails/s ({summary})"
            )
    best = max(rates)
    verdict = "ok" if best >= 500 else "BELOW TARGET"
    print(
        f"bulletin bounces --mbox: {best:,.0f} mails/s classified "
        f"(best of {ROUNDS}) [target >= 500 mails/s: {verdict}]"
    )


if __name__ == "__main__":
    main()
