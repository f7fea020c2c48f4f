"""Audiences: an edition in 8 variants, and 10,000 readers' messages (``make benchmark``).

The January 2025 example, copied to a temporary folder with three audiences
declared in its bulletin.toml (``schools``, ``health``, ``police``) and some
of its headings tagged ``{for ...}``, so that the 8 subsets of the three are
8 distinct variants. Prints:
- the HTML size of each variant's email;
- the warm time to render the 8 variants (``render_variants``) as a multiple
  of one ``render`` of the same edition  [target <= 8x];
- personal messages per second for 10,000 readers spread over the 8
  variants, once the variants are rendered (``EditionMessages.personal``)
  [target >= 10,000/s].
"""

from __future__ import annotations

import itertools
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bulletin.loading.source import Source, load
from bulletin.mail.recipients import Recipient
from bulletin.mail.variants import EditionMessages
from bulletin.model.audiences import describe
from bulletin.model.tags import audience_names
from bulletin.rendering.pipeline import render, render_variants

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dscp-2025-01"
SECRET = "x" * 32
AUDIENCES = ("schools", "health", "police")
READERS = 10_000
RUNS = 30
"""Warm runs of each render whose median is taken."""

TAGS = {
    # heading as written in edition.md -> the audiences it is for
    "# Training": "schools",
    "## Priority Three: First 1,001 Days": "health",
    "## Priority Four: Mental Health and Wellbeing": "health, schools",
    "## Priority Two: Harm Outside The Home": "police",
    "# Local Resources": "police, health",
}


def tagged_example(folder: Path) -> Path:
    """The example in ``folder``, its audiences declared and some headings tagged."""
    shutil.copytree(EXAMPLE / "images", folder / "images")
    config = (EXAMPLE / "bulletin.toml").read_text(encoding="utf-8")
    declared = ", ".join(f'"{name}"' for name in AUDIENCES)
    # Top-level keys must come before the first [table].
    config = config.replace("\n[logo]", f"\naudiences = [{declared}]\n\n[logo]", 1)
    (folder / "bulletin.toml").write_text(config, encoding="utf-8")
    text = (EXAMPLE / "edition.md").read_text(encoding="utf-8")
    for heading, names in TAGS.items():
        text, count = re.subn(
            rf"^{re.escape(heading)}$",
            f"{heading} {{for {names}}}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        assert count == 1, f"heading {heading!r} not found in edition.md"
    path = folder / "edition.md"
    path.write_text(text, encoding="utf-8")
    return path


def subsets() -> list[frozenset[str]]:
    """Every subset of the audiences, the empty one (no audience) first."""
    return [
        frozenset(chosen)
        for size in range(len(AUDIENCES) + 1)
        for chosen in itertools.combinations(AUDIENCES, size)
    ]


def readers(count: int) -> list[Recipient]:
    """``count`` readers, spread evenly over the subsets, as a CSV row gives them."""
    groups = ["; ".join(sorted(group)) for group in subsets()]
    return [
        Recipient(
            f"reader{number}@example.org",
            {
                "first_name": f"Reader {number}",
                "audiences": groups[number % len(groups)],
            },
            row=number + 2,
            ascii_address=f"reader{number}@example.org",
        )
        for number in range(count)
    ]


def variants_ms(source: Source) -> tuple[float, float, float]:
    """Median warm ms of one render (everything; no audience) and of the 8 variants.

    The three are timed in turn, run after run, so that a busy moment of the
    machine slows them alike rather than one of them.
    """
    groups = subsets()

    def one(audiences: frozenset[str]) -> None:
        render(
            source.edition,
            source.settings,
            layout=source.layout,
            base_dir=source.base_dir,
            audiences=audiences,
        )

    def eight() -> None:
        render_variants(
            source.edition,
            source.settings,
            groups,
            layout=source.layout,
            base_dir=source.base_dir,
        )

    timed: list[Callable[[], None]] = [
        lambda: one(frozenset(AUDIENCES)),
        lambda: one(frozenset()),
        eight,
    ]
    for function in timed:
        function()  # warm-up
    times: list[list[float]] = [[] for _ in timed]
    for _ in range(RUNS):
        for function, runs in zip(timed, times, strict=True):
            start = time.perf_counter()
            function()
            runs.append(time.perf_counter() - start)
    whole, untagged, variants = (statistics.median(runs) * 1000 for runs in times)
    return whole, untagged, variants


def messages_rate(messages: EditionMessages, people: list[Recipient]) -> float:
    """Messages per second for ``people``: each reader's variant, filled in."""
    start = time.perf_counter()
    for person in people:
        messages.personal(person)
    return len(people) / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bulletin-audiences-") as scratch:
        source = load(tagged_example(Path(scratch)))
        groups = subsets()
        variants = render_variants(
            source.edition,
            source.settings,
            groups,
            layout=source.layout,
            base_dir=source.base_dir,
        )
        distinct = {id(rendered): rendered for rendered in variants.values()}
        assert len(distinct) == len(groups), f"{len(distinct)} variants, not 8"
        sizes = ", ".join(
            f"{describe(rendered.variant)} {len(rendered.html.encode()) / 1000:.1f}"
            for rendered in sorted(
                distinct.values(), key=lambda r: (len(r.variant), sorted(r.variant))
            )
        )
        print(f"variants' email HTML (KB): {sizes}")

        whole, untagged, eight = variants_ms(source)
        print(
            f"8 variants rendered (render_variants): {eight:.1f} ms median of {RUNS} "
            f"= {eight / whole:.1f}x one render of everything ({whole:.1f} ms)  "
            "[target <= 8x]"
        )
        print(f"  one render for a reader in no audience: {untagged:.1f} ms")

        messages = EditionMessages(
            variants, source.settings, source.edition.date, secret=SECRET
        )
        people = readers(READERS)
        for person in people[: len(groups)]:
            assert messages.template(person).rendered.variant == audience_names(
                person.fields["audiences"]
            )
        size = sum(len(messages.personal(person).data) for person in people[:8]) / 8
        best = max(messages_rate(messages, people) for _ in range(3))
        print(
            f"personal messages, {READERS:,} readers over {len(distinct)} variants: "
            f"{best:,.0f}/s best of 3 ({size / 1024:.0f} KB each on average)  "
            "[target >= 10,000/s]"
        )


if __name__ == "__main__":
    main()
