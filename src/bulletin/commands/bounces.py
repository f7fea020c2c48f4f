"""``bulletin bounces``: read the sending mailbox and act on bounces and unsubscribe mails.

::

    [imap]
    host = "outlook.office365.com"
    port = 993                        # TLS from the start; 143 means STARTTLS
    username = "news@example.org"     # by default [smtp]'s username
    folder = "INBOX"                  # where bounces arrive
    processed_folder = "bulletin-processed"
    auth = "xoauth2"                  # or "password" (BULLETIN_IMAP_PASSWORD)
    token_command = "get-token --imap"  # by default [smtp]'s
    ca_file = "certs/our-ca.pem"      # only for a private certificate authority

Each mail is classified (:mod:`bulletin.mail.bounces`) and matched to a
reader and an edition through the list's send journals
(:class:`~bulletin.sending.bouncelog.SentIndex`). A hard bounce suppresses
the reader at once; soft bounces are counted, and a reader who soft-bounced
in :data:`SOFT_LIMIT` different editions is suppressed; a mail asking to
unsubscribe suppresses its sender as an unsubscribe does. Auto-replies are
ignored. Mails dealt with are recorded (a re-run never counts one twice) and
moved to the processed folder; a person's reply, or a bounce that cannot be
read, stays where it is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.errors import ContentError, SendError
from bulletin.loading.config import Config, find_config, load_config, toml_location
from bulletin.mail.bounces import Finding, Kind, classify
from bulletin.mail.message import list_id
from bulletin.mail.suppression import Suppression, SuppressionList
from bulletin.sending.bouncelog import BounceLog, SentIndex, bounce_log_path
from bulletin.sending.mailbox import (
    ImapMailbox,
    ImapSettings,
    LocalMailbox,
    Mailbox,
    imap_secret,
)

__all__ = ["SOFT_LIMIT", "BounceReport", "bounces", "incoming"]

SOFT_LIMIT = 3
"""Soft bounces in this many different editions suppress a reader."""

_NOTE_LIMIT = 300


@dataclass
class BounceReport:
    """What a run of ``bulletin bounces`` did (or, dry, would do)."""

    mailbox: str
    log: Path | None
    """The bounce log; None in a dry run that had none yet."""
    dry_run: bool = False
    mails: int = 0
    """Mails read."""
    kinds: Counter[str] = field(default_factory=Counter)
    """Mails newly processed, by :class:`Kind`."""
    already: int = 0
    """Mails an earlier run processed (moved now if still there, not counted)."""
    moved: int = 0
    suppressed: list[Suppression] = field(default_factory=list)
    """Readers put on the suppression list (or who would be)."""
    actions: list[str] = field(default_factory=list)
    """One line per reader acted on."""
    problems: list[str] = field(default_factory=list)
    """One line per mail that could not be dealt with."""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "mailbox": self.mailbox,
            "log": str(self.log) if self.log else None,
            "dry_run": self.dry_run,
            "mails": self.mails,
            "kinds": dict(self.kinds),
            "already_processed": self.already,
            "moved": self.moved,
            "suppressed": [
                {"address": s.address, "reason": s.reason, "note": s.note}
                for s in self.suppressed
            ],
            "actions": self.actions,
            "problems": self.problems,
        }


def incoming(config: Config) -> tuple[ImapSettings, str | None]:
    """The ``[imap]`` settings of ``config``, and the token command to use.

    Raises:
        ContentError: a value in bulletin.toml is wrong (at its line).
        SendError: there is no ``[imap]`` host.
    """
    table: Mapping[str, Any] = config.imap
    smtp: Mapping[str, Any] = config.smtp

    def fail(key: str, message: str) -> Exception:
        if config.path is not None and key in table:
            return ContentError(message, toml_location(config.path, ("imap", key)))
        return SendError(message)

    if not table.get("host"):
        raise SendError(
            'no IMAP server: add [imap] with e.g. host = "outlook.office365.com" '
            "to bulletin.toml, or read an export with --mbox FILE or --maildir DIR"
        )
    port = table.get("port")
    ca_path: Path | None = None
    if table.get("ca_file"):
        ca_path = (config.folder or Path.cwd()) / str(table["ca_file"])
        if not ca_path.is_file():
            raise fail("ca_file", f"ca_file {table['ca_file']} not found ({ca_path})")
    try:
        settings = ImapSettings(
            host=str(table["host"]),
            username=str(table.get("username") or smtp.get("username") or ""),
            port=int(port) if port is not None else None,
            security=table.get("security") or ("starttls" if port == 143 else "tls"),
            folder=str(table.get("folder") or "INBOX"),
            processed_folder=str(table.get("processed_folder") or "bulletin-processed"),
            auth=table.get("auth") or "password",
            ca_file=ca_path,
            timeout=float(table.get("timeout", 60)),
        )
    except SendError as error:
        text = str(error)
        blamed = next(
            (key for key in ("security", "auth", "port", "username") if key in text),
            "host",
        )
        raise fail(blamed, text) from None
    command = table.get("token_command") or smtp.get("token_command") or None
    return settings, command


def bounces(
    target: Path,
    *,
    mbox: Path | None = None,
    maildir: Path | None = None,
    dry_run: bool = False,
    soft_limit: int = SOFT_LIMIT,
    log_path: Path | None = None,
    prompt: Callable[[str], str] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> BounceReport:
    """Process the bounces of the bulletin whose bulletin.toml is in or above ``target``.

    Args:
        target: an edition file or the bulletin's folder.
        mbox, maildir: read this export instead of the IMAP mailbox.
        dry_run: decide everything, change nothing (no suppression, no
            record, no move).
        soft_limit: soft bounces in this many editions suppress a reader.
        log_path: the bounce log; by default beside the list's journals.
        prompt: asks for the IMAP password (hidden), when no one set it.

    Raises:
        SendError: no bulletin.toml, no [imap], or the mailbox cannot be read.
        ContentError: bulletin.toml is wrong.
        RecipientError: the suppression list cannot be read or written.
    """
    if soft_limit < 1:
        raise SendError(f"the soft-bounce limit {soft_limit} must be 1 or more")
    found = find_config(target)
    if found is None:
        raise SendError(
            f"no bulletin.toml in {target} or a folder above it: run this in your "
            "bulletin's folder, or give an edition file in it"
        )
    config = load_config(found)
    identity = list_id(config.settings)
    path = log_path or bounce_log_path(identity)
    index = SentIndex(bounce_log_path(identity).parent)
    suppressions = SuppressionList.load(
        config.suppressions or found.parent / "suppressed.csv"
    )
    unsubscribe = frozenset(
        address.lower() for address in (config.settings.unsubscribe_mailto,) if address
    )
    box: Mailbox
    if mbox is not None or maildir is not None:
        box = (
            LocalMailbox(mbox, "mbox")
            if mbox is not None
            else LocalMailbox(maildir, "maildir")  # type: ignore[arg-type]  # not None here
        )
    else:
        settings, command = incoming(config)
        secret = imap_secret(
            settings, token_command=command, environ=environ, prompt=prompt
        )
        box = ImapMailbox(settings, secret).open()
    memory = dry_run and not path.is_file()
    report = BounceReport(box.name, None if memory else path, dry_run=dry_run)
    report.problems += index.problems
    started = time.perf_counter()
    run = _Run(report, index, suppressions, soft_limit, today or dt.date.today())
    try:
        with BounceLog(Path(":memory:") if memory else path) as log:
            with log.batch(keep=not dry_run):
                done = run.read(box, log, unsubscribe)
                if not dry_run and run.new:
                    suppressions.add(run.new.values())
            if not dry_run:
                report.moved = box.done(done)
    finally:
        box.close()
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """One pass over a mailbox, deciding for each mail."""

    def __init__(
        self,
        report: BounceReport,
        index: SentIndex,
        suppressions: SuppressionList,
        soft_limit: int,
        today: dt.date,
    ) -> None:
        self.report = report
        self.index = index
        self.suppressions = suppressions
        self.soft_limit = soft_limit
        self.today = today
        self.new: dict[str, Suppression] = {}
        self.verb = "would suppress" if report.dry_run else "suppressed"

    def read(
        self, box: Mailbox, log: BounceLog, unsubscribe: frozenset[str]
    ) -> list[str]:
        """Decide for every mail in ``box``; return the refs of those dealt with."""
        done: list[str] = []
        report = self.report
        for mail in box.mails():
            report.mails += 1
            if mail.raw is None:
                report.problems.append(f"{box.name} {mail.ref}: {mail.problem}")
                continue
            try:
                finding = classify(mail.raw, unsubscribe_addresses=unsubscribe)
            except Exception as error:  # a mail no parser expected (too deeply
                # nested parts: RecursionError, an odd charset): report, go on
                report.problems.append(
                    f"{box.name} {mail.ref}: cannot be read ({type(error).__name__}: "
                    f"{str(error)[:200]})"
                )
                continue
            if log.seen(finding.mail_id):
                report.already += 1
                done.append(mail.ref)
                continue
            if finding.kind in (Kind.OTHER, Kind.MALFORMED):
                report.kinds[str(finding.kind)] += 1
                if finding.kind is Kind.MALFORMED:
                    report.problems.append(
                        f"{box.name} {mail.ref}: {_quoted(finding.subject)}: "
                        f"{finding.problem}; left in place"
                    )
                continue
            report.kinds[str(finding.kind)] += 1
            self._act(finding, mail.ref, log)
            log.record_mail(finding.mail_id, str(finding.kind), finding.subject)
            done.append(mail.ref)
        return done

    def _act(self, finding: Finding, ref: str, log: BounceLog) -> None:
        report = self.report
        for bounce in finding.bounces:
            sent, named = self.index.find(finding.original_ids, bounce.address)
            if sent is not None and not named and bounce.kind in (Kind.HARD, Kind.SOFT):
                # Anyone can write a bounce: one that names no message sent
                # from here could have been made up to take a reader off.
                report.problems.append(
                    f"{report.mailbox} {ref}: a {bounce.kind} bounce for "
                    f"{bounce.address} that names no message sent from here: "
                    "nothing suppressed; if it is real, bulletin suppress add it"
                )
                log.record_bounce(finding.mail_id, bounce.address, str(bounce.kind))
                continue
            if sent is None and bounce.kind is not Kind.UNSUBSCRIBE:
                if bounce.kind in (Kind.HARD, Kind.SOFT):
                    report.problems.append(
                        f"{report.mailbox} {ref}: a {bounce.kind} bounce for "
                        f"{bounce.address}, who is on no list sent from here: "
                        "nothing suppressed"
                    )
                log.record_bounce(finding.mail_id, bounce.address, str(bounce.kind))
                continue
            address = sent.address if sent else bounce.address
            log.record_bounce(
                finding.mail_id,
                address,
                str(bounce.kind),
                status=bounce.status,
                diagnostic=bounce.diagnostic,
                sent=sent,
            )
            reply = " ".join(
                part for part in (bounce.status, bounce.diagnostic) if part
            )
            edition = f" ({sent.edition})" if sent else ""
            when = f"bounce of {finding.date}" if finding.date else "bounce"
            if bounce.kind is Kind.HARD:
                self._suppress(
                    address,
                    "bounced",
                    f"{reply or 'hard bounce'} ({when}, bulletin bounces)",
                    f"hard bounce{edition}: {reply or finding.subject}",
                )
            elif bounce.kind is Kind.SOFT:
                editions = log.soft_editions(sent.key if sent else address)
                if editions >= self.soft_limit:
                    self._suppress(
                        address,
                        "bounced",
                        f"soft bounces in {editions} editions, last: {reply} "
                        f"({when}, bulletin bounces)",
                        f"soft bounces in {editions} editions{edition}: {reply}",
                    )
                else:
                    report.actions.append(
                        f"counted {address}: soft bounce{edition}, {editions} of "
                        f"{self.soft_limit} editions: {reply}"
                    )
            elif bounce.kind is Kind.UNSUBSCRIBE:
                self._suppress(
                    address,
                    "unsubscribed",
                    f"asked by mail: {_quoted(finding.subject)} ({finding.date})",
                    f"asked by mail to unsubscribe: {_quoted(finding.subject)}",
                )

    def _suppress(self, address: str, reason: str, note: str, why: str) -> None:
        key = Suppression(address).key
        if address in self.suppressions or key in self.new:
            self.report.actions.append(f"already suppressed {address}: {why}")
            return
        entry = Suppression(address, reason, self.today, note[:_NOTE_LIMIT])
        self.new[key] = entry
        self.report.suppressed.append(entry)
        self.report.actions.append(f"{self.verb} {address}: {why}")


def _quoted(subject: str) -> str:
    return f'"{subject[:80]}"' if subject else "(no subject)"
