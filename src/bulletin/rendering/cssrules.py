"""The layout's CSS as premailer applies it, worked out once and kept between runs.

premailer reads a stylesheet with cssutils, which is slow to import (~95 ms)
and slow to parse with (~30 ms for a layout's CSS, ~15 ms more for its
declarations): together about a quarter of a whole ``bulletin build``. What
premailer derives from the CSS depends only on the CSS text and the versions
of premailer, cssutils, cssselect and lxml, so it is worked out once, with
premailer's own functions, and kept as JSON in bulletin's cache folder
(``css/``), named by a hash of all of those:

- each rule, in the order premailer applies them: the XPath its selector
  selects with, and its declarations as cssutils reads them;
- the CSS premailer leaves in a ``<style>`` block (media queries,
  pseudo-classes);
- cssutils' reading of each ``style`` attribute that a rule's element
  already had, as met (premailer merges those into the inlined style).

A cache file that is missing, unreadable, corrupt, or not this user's own is
ignored and written afresh; one that cannot be written is no error. JSON,
never pickle: reading it back runs no code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import operator
import os
import re
import sys
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.files import cache_folder, read_cache, write_cache

__all__ = [
    "PREMAILER_OPTIONS",
    "Declarations",
    "Rule",
    "Stylesheet",
    "premailer_class",
    "stylesheet",
]

PREMAILER_OPTIONS: dict[str, Any] = {
    "allow_network": False,
    "allow_loading_external_files": False,
    "keep_style_tags": False,
    "strip_important": False,
    "disable_validation": True,
    "disable_leftover_css": False,
    "align_floating_images": False,
    "remove_classes": False,
    # cssutils warns about every vendor property it does not know (mso-*,
    # -webkit-*); the layout CSS is ours and deliberate.
    "cssutils_logging_level": logging.CRITICAL,
}
"""How bulletin runs premailer; what is cached here holds for these alone."""

_FORMAT = 1
"""The cache files' format: change it whenever what is kept, or how, changes."""

_LIBRARIES = ("premailer", "cssutils", "cssselect", "lxml")

# premailer keeps a selector's pseudo-class only for these (and :nth-child(...)).
_FILTER_PSEUDOSELECTORS = (":last-child", ":first-child", ":nth-child")

Declarations = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One selector of the layout CSS, ready to apply."""

    xpath: str
    """What lxml's ``CSSSelector`` makes of the selector."""
    pseudo: str
    """The pseudo-class premailer files the declarations under ("" for none)."""
    declarations: Declarations
    """``(property, value)`` pairs as cssutils reads them, ``!important`` kept."""


@dataclass(slots=True)
class Stylesheet:
    """The layout CSS, worked out as premailer would, and what it has met since."""

    key: str
    """The hash naming it: of the CSS text, the cache format and the libraries."""
    rules: tuple[Rule, ...]
    """Every rule premailer inlines, in the order it applies them."""
    leftover: str | None
    """The CSS premailer keeps in a ``<style>`` in the head; None for no block."""
    styles: dict[str, Declarations] = field(default_factory=dict)
    """cssutils' reading of ``style`` attributes met so far, by their text."""
    changed: bool = False
    """Whether something was worked out since it was last kept."""

    def declarations(self, style: str) -> Declarations:
        """The ``(property, value)`` pairs cssutils reads in a ``style`` attribute."""
        found = self.styles.get(style)
        if found is None:
            premailer_class()  # first: it defers requests and quietens cssutils
            from premailer.merge_style import csstext_to_pairs

            found = self.styles[style] = tuple(csstext_to_pairs(style))
            self.changed = True
        return found

    def keep(self) -> None:
        """Write it to the cache, if anything was worked out since it was read."""
        folder = cache_folder("css") if self.changed else None
        if folder is None:
            return
        self.changed = False
        data = {
            "format": _FORMAT,
            "key": self.key,
            "rules": [[r.xpath, r.pseudo, r.declarations] for r in self.rules],
            "leftover": self.leftover,
            # A bound, so a cache file cannot grow without end.
            "styles": dict(list(self.styles.items())[:_MAX_STYLES]),
        }
        write_cache(folder / f"{self.key}.json", json.dumps(data).encode("utf-8"))


_MAX_STYLES = 2000
_kept: dict[str, Stylesheet] = {}
_lock = threading.Lock()


def stylesheet(css: str) -> Stylesheet:
    """``css`` as premailer applies it: kept in this process, read from the cache, or worked out.

    What is worked out is written to the cache by :meth:`Stylesheet.keep`.
    """
    key = _key(css)
    with _lock:
        found = _kept.get(key)
        if found is None:
            found = _read(key) or _work_out(css, key)
            if len(_kept) >= 64:
                _kept.clear()
            _kept[key] = found
    return found


def _key(css: str) -> str:
    text = json.dumps([_FORMAT, css, _library_versions()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _library_versions() -> tuple[str, ...]:
    """Where premailer, cssutils, cssselect and lxml are, and which versions.

    Read from their ``.dist-info`` (or ``.egg-info``) folders' names: asking
    ``importlib.metadata`` would cost ~20 ms, about what the cache saves.
    """
    versions = []
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None:
            versions.append(f"{name}: not installed")
            continue
        try:
            entries = [entry.name for entry in Path(origin).parent.parent.iterdir()]
        except OSError:
            entries = []
        infos = sorted(
            entry
            for entry in entries
            if entry.lower().startswith(f"{name}-")
            and entry.endswith((".dist-info", ".egg-info"))
        )
        if not infos:  # not installed from a distribution: its file's date will do
            infos = [str(Path(origin).stat().st_mtime_ns)]
        versions.append(f"{origin}: {' '.join(infos)}")
    return tuple(versions)


def _read(key: str) -> Stylesheet | None:
    folder = cache_folder("css")
    raw = None if folder is None else read_cache(folder / f"{key}.json")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data["format"] != _FORMAT or data["key"] != key:
            return None
        leftover = data["leftover"]
        if leftover is not None and not isinstance(leftover, str):
            return None
        rules = tuple(
            Rule(_text(xpath), _text(pseudo), _declarations(declarations))
            for xpath, pseudo, declarations in data["rules"]
        )
        styles = {_text(s): _declarations(d) for s, d in data["styles"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # not what this version writes: work it out again
    return Stylesheet(key, rules, leftover, styles)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _declarations(value: object) -> Declarations:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return tuple((_text(name), _text(text)) for name, text in value)


def _work_out(css: str, key: str) -> Stylesheet:
    """What premailer 3.10's ``transform`` derives from ``css``, with its own functions."""
    premailer = premailer_class()(**PREMAILER_OPTIONS)  # first: it defers requests
    from lxml.cssselect import CSSSelector  # type: ignore[import-untyped]  # no types
    from premailer.merge_style import csstext_to_pairs

    parsed, leftover = premailer._parse_style_rules(css, 0)
    rules = []
    for _, selector, bulk in sorted(parsed, key=operator.itemgetter(0)):
        pseudo = ""
        if ":" in selector:
            bare, pseudo = re.split(":", selector, maxsplit=1)
            pseudo = f":{pseudo}"
            if pseudo in _FILTER_PSEUDOSELECTORS or pseudo.startswith(":nth-child"):
                pseudo = ""
            else:
                selector = bare
        declarations = tuple(csstext_to_pairs(bulk, validate=False))
        rules.append(Rule(CSSSelector(selector).path, pseudo, declarations))
    text = premailer._css_rules_to_string(leftover) if leftover else None
    return Stylesheet(key, tuple(rules), text, changed=True)


@functools.cache
def premailer_class() -> Any:
    """premailer's ``Premailer``, imported without requests.

    premailer imports requests (and with it urllib3 and chardet: ~50 ms) to
    fetch remote stylesheets, which bulletin never does
    (``allow_network=False``). Anyone who uses requests still gets the real
    module, loaded on first attribute access.

    premailer also memoises in one shared cache of 128 entries by default,
    fewer than one bulletin's distinct inline styles; it reads the documented
    ``PREMAILER_CACHE_MAXSIZE`` on first import, and a value the user set wins.
    """
    os.environ.setdefault("PREMAILER_CACHE_MAXSIZE", "4096")
    _defer_import("requests")
    from premailer import Premailer

    # The logging level is set when a Premailer is made: make one now, so
    # cssutils is quiet whichever premailer function runs first.
    Premailer(**PREMAILER_OPTIONS)
    return Premailer


class _Deferred(types.ModuleType):
    """Stands in for a module until something uses it, then imports the real one."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _defer_import(name: str) -> None:
    """Let ``import name`` succeed now and load the module on first use.

    (The stdlib ``LazyLoader`` cannot do this on Python 3.11: the import
    statement itself touches the module and loads it.)
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
