"""Stage 3: MJML to responsive HTML with mjml-python, making no network access."""

from __future__ import annotations

import re

from mjml import mjml2html

from bulletin.errors import RenderError

__all__ = ["compile_mjml"]

_FIXED_HEIGHT = re.compile(
    r'(<img [^>]*?\bheight="\d+"[^>]*?\bstyle="(?:[^"]*?;)?)height:\d+px;'
)


def compile_mjml(mjml: str) -> str:
    """Compile ``mjml`` to HTML.

    ``fonts={}`` stops mjml-python adding a Google Fonts ``<link>``: a build
    fetches nothing and the email leaks nothing about its readers.

    An image's height stays in its ``height`` attribute (Outlook sizes by the
    attributes, and a browser keeps the picture's shape from them while it is
    not loaded) but its style says ``height:auto``: mj-image writes the pixel
    height there too, which stretched a picture made narrower on a phone.

    Raises:
        RenderError: mjml-python could not parse the document.
    """
    try:
        html: str = mjml2html(mjml, disable_comments=True, fonts={})
    except Exception as error:  # mjml-python raises a bare Exception subclass
        raise RenderError(
            "mjml", str(error).splitlines()[0] if str(error) else repr(error)
        ) from None
    return _FIXED_HEIGHT.sub(r"\1height:auto;", html)
