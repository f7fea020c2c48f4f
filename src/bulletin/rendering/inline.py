"""Stage 4: move the layout's CSS into ``style`` attributes with premailer.

Many mail clients drop ``<style>`` blocks, so the rules that make the email
look right (heading and link colours, fonts, list spacing) are inlined. Only
the layout's own ``inline.css.j2`` is inlined (and not repeated in a
style block); the style blocks mjml-python
writes (media queries, Outlook fixes) are kept as they are, untouched, with
their ``!important`` intact so the mobile layout can override inline widths.
"""

from __future__ import annotations

import logging
import os
import re

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
    _size_premailer_cache()
    from premailer import Premailer

    # Mark every existing style block so premailer leaves it alone (it deletes
    # the mark from those it sees; ones inside Outlook comments are unmarked below).
    marked = _STYLE_TAG.sub("<style" + _IGNORED, html)
    try:
        inlined: str = Premailer(
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


def _size_premailer_cache() -> None:
    """Give premailer a cache big enough for one email's styles and selectors.

    premailer memoises CSS parsing and selector compilation in one shared
    cache of 128 entries by default; one bulletin has more distinct inline
    styles than that, so every render would parse them again with cssutils
    (half the render time). premailer reads the documented
    ``PREMAILER_CACHE_MAXSIZE`` when first imported; a value set by the user wins.
    """
    os.environ.setdefault("PREMAILER_CACHE_MAXSIZE", "4096")
