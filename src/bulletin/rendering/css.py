"""Stage 4: move the layout's CSS into ``style`` attributes with premailer.

Many mail clients drop ``<style>`` blocks, so the rules that make the email
look right (heading and link colours, fonts, list spacing) are inlined. Only
the layout's own ``inline.css.j2`` is inlined, and it is not repeated in a
style block. The style blocks mjml-python writes (media queries, Outlook
fixes) are left exactly as they are, ``!important`` intact, so the mobile
layout can still override inline widths.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
import sys
import types
from typing import Any

from bulletin.errors import RenderError

__all__ = ["inline_css"]

_STYLE_TAG = re.compile(r"<style(?=[\s>])")
_IGNORED = ' data-premailer="ignore"'
_DOCTYPE = "<!doctype html>"


def inline_css(html: str, css: str) -> str:
    """Inline ``css`` into ``html``; keep the document's own style blocks.

    Raises:
        RenderError: premailer failed.
    """
    # Mark every existing style block so premailer leaves it alone (it deletes
    # the mark from those it sees; ones inside Outlook comments are unmarked below).
    marked = _STYLE_TAG.sub("<style" + _IGNORED, html)
    try:
        inlined: str = _inliner()(
            marked,
            css_text=[css] if css.strip() else None,
            allow_network=False,
            allow_loading_external_files=False,
            keep_style_tags=False,
            strip_important=False,
            disable_validation=True,
            disable_leftover_css=False,
            align_floating_images=False,
            remove_classes=False,
            # cssutils warns about every vendor property it does not know
            # (mso-*, -webkit-*); the layout CSS is ours and deliberate.
            cssutils_logging_level=logging.CRITICAL,
        ).transform(pretty_print=False)
    except Exception as error:  # premailer and cssutils raise many unrelated types
        raise RenderError("premailer", f"{type(error).__name__}: {error}") from None
    inlined = inlined.replace(_IGNORED, "")
    # premailer drops the doctype whatever it is told; without it clients render
    # in quirks mode.
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = f"{_DOCTYPE}{inlined}"
    return inlined


class _Deferred(types.ModuleType):
    """Stands in for a module until something uses it, then imports the real one."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _defer_import(name: str) -> None:
    """Let ``import name`` succeed now and load the module on first use.

    premailer imports requests (and with it urllib3 and chardet: about 50 ms,
    an eighth of a whole ``bulletin build``) to fetch remote stylesheets, which
    a build never does (``allow_network=False``). Anyone who uses requests
    still gets the real module, loaded on first attribute access. (The stdlib
    ``LazyLoader`` cannot do this on Python 3.11: the import statement itself
    touches the module and loads it.)
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in


@functools.cache
def _inliner() -> Any:
    """premailer's ``Premailer``, made to parse each stylesheet once per process.

    premailer caches cssutils' parse of a stylesheet but then re-serialises
    every declaration of it with cssutils on each ``transform``: a third of
    a render for an unchanged layout. The rules it derives depend only on the
    CSS text and the options, so they are kept here (premailer is pinned to
    3.10.x in pyproject.toml, and the golden files show any change).

    premailer also memoises in one shared cache of 128 entries by default,
    fewer than one bulletin's distinct inline styles; it reads the documented
    ``PREMAILER_CACHE_MAXSIZE`` on first import, and a value the user set wins.
    """
    os.environ.setdefault("PREMAILER_CACHE_MAXSIZE", "4096")
    _defer_import("requests")
    from premailer import Premailer

    rules: dict[tuple[object, ...], tuple[list[Any], list[Any]]] = {}

    class Inliner(Premailer):  # type: ignore[misc]  # premailer is untyped
        def _parse_style_rules(
            self, css_body: str, ruleset_index: int
        ) -> tuple[list[Any], list[Any]]:
            key = (
                css_body,
                ruleset_index,
                self.strip_important,
                self.disable_validation,
            )
            if key not in rules:
                if len(rules) > 64:
                    rules.clear()
                rules[key] = super()._parse_style_rules(css_body, ruleset_index)
            parsed, leftover = rules[key]
            return list(parsed), list(leftover)

    return Inliner
