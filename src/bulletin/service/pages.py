"""The pages a reader sees: accessible, in the layout's colours, English or Welsh.

Each page has a language, one ``<main>`` with an ``<h1>``, text and controls
that reach 4.5:1 contrast, a visible focus ring, and works without scripts
(there are none) or styles. Every value put in is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from bulletin.service.config import ServiceConfig
from bulletin.service.words import LANGUAGES, WORDS

__all__ = ["FALLBACK_COLOURS", "Page", "page"]

FALLBACK_COLOURS = {
    "brand": "#1d4f91",
    "band_text": "#ffffff",
    "button_text": "#ffffff",
    "heading": "#1d4f91",
    "text": "#222222",
    "muted": "#555555",
    "link": "#1a5a9e",
    "background": "#ffffff",
    "page": "#eef1f5",
    "footer_text": "#3d4650",
}
"""The built-in classic layout's colours, for any a configuration leaves out."""


class Page:
    """What a page says: its heading, paragraphs and at most one form."""

    def __init__(
        self,
        heading: str,
        paragraphs: tuple[str, ...] = (),
        *,
        form: tuple[str, str] | None = None,
        second_heading: str = "",
        second_form: tuple[str, str] | None = None,
    ) -> None:
        self.heading = heading
        self.paragraphs = paragraphs
        self.form = form
        """(path with query, button words): a button that POSTs there."""
        self.second_heading = second_heading
        self.second_form = second_form


_STYLE = """
html {{ background: {page}; color: {text}; font-family: {font}; }}
body {{ margin: 0; line-height: 1.5; font-size: 1.0625rem; }}
header {{ background: {brand}; color: {band_text}; }}
header p {{ margin: 0 auto; max-width: 36rem; padding: 1rem 1.5rem; font-weight: bold; }}
main {{ display: block; background: {background}; color: {text}; max-width: 36rem;
  margin: 1.5rem auto; padding: 1.5rem; border-radius: 4px; }}
h1, h2 {{ color: {heading}; line-height: 1.25; }}
h1 {{ font-size: 1.6rem; margin-top: 0; }}
h2 {{ font-size: 1.25rem; margin-top: 2rem; }}
p {{ max-width: 34rem; overflow-wrap: anywhere; }}
a {{ color: {link}; }}
button {{ font: inherit; font-weight: bold; background: {brand}; color: {button_text};
  border: 2px solid {brand}; border-radius: 4px; padding: 0.6rem 1.4rem;
  cursor: pointer; min-height: 44px; }}
button:hover {{ text-decoration: underline; }}
a:focus-visible, button:focus-visible {{ outline: 3px solid {heading};
  outline-offset: 3px; }}
footer {{ color: {footer_text}; max-width: 36rem; margin: 0 auto 2rem;
  padding: 0 1.5rem; }}
footer a {{ color: {footer_text}; }}
"""


def _style(config: ServiceConfig) -> str:
    colours = {**FALLBACK_COLOURS, **config.colours}
    return _STYLE.format(font=config.font_stack, **colours)


def page(
    config: ServiceConfig, language: str, content: Page, *, switch_query: str = ""
) -> bytes:
    """The whole HTML document for ``content``.

    ``switch_query`` is the query (without ``lang``) of this page's own address,
    for the link that shows it in the other language.
    """
    words = WORDS[language]
    other = next(each for each in LANGUAGES if each != language)
    switch = urlencode([*_pairs(switch_query), ("lang", other)])
    body = [f"<h1>{escape(content.heading)}</h1>"]
    body += [f"<p>{escape(text)}</p>" for text in content.paragraphs]
    if content.form:
        body.append(_form(*content.form))
    if content.second_heading:
        body.append(f"<h2>{escape(content.second_heading)}</h2>")
    if content.second_form:
        body.append(_form(*content.second_form))
    publisher = config.publisher or config.list_id
    title = f"{content.heading} - {publisher}"
    other_tag = WORDS[other]["lang_tag"]
    document = f"""<!doctype html>
<html lang="{words["lang_tag"]}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{escape(title)}</title>
<style>{_style(config)}</style>
</head>
<body>
<header><p>{escape(publisher)}</p></header>
<main>
{chr(10).join(body)}
</main>
<footer><p><a href="?{escape(switch)}" lang="{other_tag}" hreflang="{other_tag}">{escape(words["other_language"])}</a></p></footer>
</body>
</html>
"""
    return document.encode("utf-8")


def _form(action: str, button: str) -> str:
    return (
        f'<form method="post" action="{escape(action)}">'
        '<input type="hidden" name="confirm" value="yes">'
        f'<button type="submit">{escape(button)}</button></form>'
    )


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return [(k, v) for k, v in parse_qsl(query) if k != "lang"]
