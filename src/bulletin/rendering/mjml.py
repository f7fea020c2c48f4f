"""Stage 3: MJML to responsive HTML with mjml-python, making no network access."""

from __future__ import annotations

from mjml import mjml2html

from bulletin.errors import RenderError

__all__ = ["compile_mjml"]


def compile_mjml(mjml: str) -> str:
    """Compile ``mjml`` to HTML.

    ``fonts={}`` stops mjml-python adding a Google Fonts ``<link>``: a build
    fetches nothing and the email leaks nothing about its readers.

    Raises:
        RenderError: mjml-python could not parse the document.
    """
    try:
        html: str = mjml2html(mjml, disable_comments=True, fonts={})
    except Exception as error:  # mjml-python raises a bare Exception subclass
        raise RenderError(
            "mjml", str(error).splitlines()[0] if str(error) else repr(error)
        ) from None
    return html
