"""Stage 4: move the layout's CSS into ``style`` attributes, as premailer does.

Many mail clients drop ``<style>`` blocks, so the rules that make the email
look right (heading and link colours, fonts, list spacing) are inlined. Only
the layout's own ``inline.css.j2`` is inlined, and it is not repeated in a
style block. The style blocks mjml-python writes (media queries, Outlook
fixes) are left exactly as they are, ``!important`` intact, so the mobile
layout can still override inline widths.

The result is premailer's (3.10, with :data:`~bulletin.rendering.cssrules.PREMAILER_OPTIONS`),
byte for byte. premailer's ``transform`` is done here, step by step, from the
layout CSS as premailer reads it, which :mod:`bulletin.rendering.cssrules`
keeps between runs: so a build neither imports nor runs cssutils (about a
quarter of its time). A document this does not cover (a style block premailer
would read too), or anything unforeseen, goes to premailer itself.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from bulletin.errors import RenderError
from bulletin.rendering.cssrules import (
    PREMAILER_OPTIONS,
    Declarations,
    Stylesheet,
    premailer_class,
    stylesheet,
)

__all__ = ["inline_css"]

log = logging.getLogger(__name__)

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
        sheet = stylesheet(css) if css.strip() else None
        inlined = _transform(marked, sheet)
        if sheet is not None:
            sheet.keep()
    except Exception as error:  # unforeseen: premailer itself will say what
        log.debug("inlining with premailer itself: %s: %s", type(error).__name__, error)
        inlined = None
    if inlined is None:
        try:
            inlined = _premailer_transform(marked, css)
        except Exception as error:  # premailer and cssutils raise many unrelated types
            raise RenderError("premailer", f"{type(error).__name__}: {error}") from None
    inlined = inlined.replace(_IGNORED, "")
    # premailer drops the doctype whatever it is told; without it clients render
    # in quirks mode.
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = f"{_DOCTYPE}{inlined}"
    return inlined


def _premailer_transform(marked: str, css: str) -> str:
    """premailer's own ``transform``: the reference, and the path for the unusual."""
    premailer = premailer_class()(
        marked, css_text=[css] if css.strip() else None, **PREMAILER_OPTIONS
    )
    result: str = premailer.transform(pretty_print=False)
    return result


# CSSSelector's XPath for the selectors premailer itself uses.
_HEAD = "descendant-or-self::head"
_STYLE = "descendant-or-self::style"
_MARK = "data-premailer"


def _transform(html: str, sheet: Stylesheet | None) -> str | None:
    """premailer 3.10's ``Premailer.transform`` with bulletin's options, from ``sheet``.

    Each step is premailer's, in premailer's order, for the options bulletin
    uses: no network, no external files, leftover CSS kept in the head,
    ``!important`` kept, no class removal, no image alignment. Returns None
    for a document premailer would treat otherwise (a style block not marked
    to be left alone, no head).
    """
    stripped = html.strip()
    tree = etree.fromstring(stripped, etree.HTMLParser()).getroottree()
    page = tree.getroot()
    # lxml adds a doctype; premailer keeps one only if the document had it.
    root = tree if stripped.startswith(tree.docinfo.doctype) else page
    heads = _xpath(_HEAD)(tree)
    if not heads:
        return None
    for element in _xpath(_STYLE)(page):
        media = element.attrib.get("media")
        if media and media not in ("all", "screen"):
            continue
        if element.attrib.get(_MARK) != "ignore":
            return None  # premailer would inline this block too
        del element.attrib[_MARK]
    if sheet is None:
        return _serialised(root)

    if sheet.leftover is not None:
        style = etree.Element("style")
        style.attrib["type"] = "text/css"
        style.text = sheet.leftover
        heads[0].append(style)

    # Each element matched, in the order first matched, with the rules matching it.
    matched: dict[int, tuple[Any, list[int]]] = {}
    for index, rule in enumerate(sheet.rules):
        for item in _xpath(rule.xpath)(page):
            entry = matched.get(id(item))
            if entry is None:
                entry = matched[id(item)] = (item, [])
            entry[1].append(index)
    # Elements with the same rules and style attribute (every plain <p>) end alike.
    done: dict[tuple[str, tuple[int, ...]], tuple[str, list[tuple[str, str]]]] = {}
    for item, indices in matched.values():
        key = (item.attrib.get("style", ""), tuple(indices))
        result = done.get(key)
        if result is None:
            rules = [sheet.rules[index] for index in indices]
            style_text = _merged(
                key[0],
                [rule.declarations for rule in rules],
                [rule.pseudo for rule in rules],
                sheet.declarations,
            )
            result = done[key] = (style_text, _basic_attributes(style_text))
        style_text, attributes = result
        if style_text:
            item.attrib["style"] = style_text
        for name, value in attributes:
            item.attrib[name] = value
    return _serialised(root)


def _serialised(root: Any) -> str:
    data: bytes = etree.tostring(
        root, method="html", pretty_print=False, encoding="utf-8"
    )
    return data.decode("utf-8")


@functools.lru_cache(maxsize=1024)
def _xpath(path: str) -> Any:
    if "__lxml_internal_css:" in path:
        import lxml.cssselect  # type: ignore[import-untyped]  # noqa: F401 - defines functions it calls
    return etree.XPath(path)


def _merged(
    inline_style: str,
    new_styles: list[Declarations],
    pseudos: list[str],
    read: Callable[[str], Declarations],
) -> str:
    """premailer's ``merge_styles`` (``remove_unset_properties=True``).

    The declarations of the rules, in order, then the element's own ``style``
    (read by ``read``), which wins; ``unset`` values dropped.
    """
    styles: dict[str, dict[str, str]] = {"": {}}
    for pseudo in set(pseudos):
        styles[pseudo] = {}
    for pseudo, declarations in zip(pseudos, new_styles, strict=True):
        for name, value in declarations:
            styles[pseudo][name] = value
    if inline_style:
        for name, value in read(inline_style):
            styles[""][name] = value
    normal_styles = []
    pseudo_styles = []
    for pseudo, values in styles.items():
        kept = {
            name: value for name, value in values.items() if value.lower() != "unset"
        }
        if not kept:
            continue
        text = "; ".join(f"{name}:{value}" for name, value in kept.items())
        if pseudo:
            pseudo_styles.append(f"{pseudo}{{{text}}}")
        else:
            normal_styles.append(text)
    if pseudo_styles:
        all_styles = (
            [f"{{{''.join(normal_styles)}}}", *pseudo_styles]
            if normal_styles
            else pseudo_styles
        )
    else:
        all_styles = normal_styles
    return " ".join(all_styles).strip()


_SHORT_COLOUR = re.compile(r"^#([0-9a-f])([0-9a-f])([0-9a-f])$", re.IGNORECASE)


def _basic_attributes(style_content: str) -> list[tuple[str, str]]:
    """premailer's ``_style_to_basic_html_attributes``: the attributes it sets.

    ``align``, ``valign``, ``bgcolor``, ``width`` and ``height`` from the
    style, for clients that ignore CSS (premailer sets them with ``force``,
    over any the element has).
    """
    if style_content.count("}") and style_content.count("{") == style_content.count(
        "}"
    ):
        style_content = style_content.split("}")[0][1:]
    attributes: dict[str, str] = {}
    for part in style_content.split(";"):
        pieces = part.split(":")
        if len(pieces) != 2:
            continue
        key, value = pieces[0].strip(), pieces[1]
        if key == "text-align":
            attributes["align"] = value.strip()
        elif key == "vertical-align":
            attributes["valign"] = value.strip()
        elif key == "background-color" and "transparent" not in value.lower():
            attributes["bgcolor"] = _SHORT_COLOUR.sub(r"#\1\1\2\2\3\3", value.strip())
        elif key in ("width", "height"):
            attributes[key] = value.strip().removesuffix("px")
    return list(attributes.items())
