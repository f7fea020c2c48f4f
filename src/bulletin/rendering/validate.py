"""Stage 2: check the MJML a layout emits, since mjml-python checks nothing.

MRML (the engine inside mjml-python) accepts unknown tags and misspelt
attributes silently and renders something else. This check knows each MJML
component bulletin's layouts may use and its attributes (from the MJML 4
component reference), and fails on anything else, suggesting the nearest
valid name. Content inside ``mj-text``, ``mj-button``, ``mj-raw``,
``mj-table``, ``mj-style``, ``mj-title`` and ``mj-preview`` is HTML or text and
is not checked here (it comes escaped from the model).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bulletin.errors import LayoutError

__all__ = ["COMPONENTS", "check_mjml"]

_PADDING = frozenset(
    {"padding", "padding-top", "padding-right", "padding-bottom", "padding-left"}
)
_BORDER = frozenset(
    {"border", "border-top", "border-right", "border-bottom", "border-left"}
)
_BODY_COMMON = frozenset({"css-class", "mj-class"})
_FONT = frozenset(
    {
        "color",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "line-height",
        "letter-spacing",
        "text-decoration",
        "text-transform",
    }
)
_SECTION = (
    _PADDING
    | _BORDER
    | _BODY_COMMON
    | {
        "background-color",
        "background-position",
        "background-position-x",
        "background-position-y",
        "background-repeat",
        "background-size",
        "background-url",
        "border-radius",
        "direction",
        "full-width",
        "text-align",
    }
)

COMPONENTS: dict[str, frozenset[str]] = {
    "mjml": frozenset({"lang", "dir", "owa"}),
    "mj-head": frozenset(),
    "mj-body": frozenset({"width", "background-color", "css-class"}),
    "mj-attributes": frozenset(),
    "mj-all": frozenset(),  # any attribute: a default for every component
    "mj-class": frozenset(),  # any attribute, plus name
    "mj-breakpoint": frozenset({"width"}),
    "mj-font": frozenset({"name", "href"}),
    "mj-preview": frozenset(),
    "mj-title": frozenset(),
    "mj-style": frozenset({"inline"}),
    "mj-raw": frozenset({"position"}),
    "mj-wrapper": _SECTION | {"gap"},
    "mj-section": _SECTION,
    "mj-group": _BODY_COMMON
    | {"width", "vertical-align", "background-color", "direction"},
    "mj-column": _PADDING
    | _BORDER
    | _BODY_COMMON
    | {
        "background-color",
        "inner-background-color",
        "border-radius",
        "inner-border",
        "inner-border-top",
        "inner-border-right",
        "inner-border-bottom",
        "inner-border-left",
        "inner-border-radius",
        "width",
        "vertical-align",
        "direction",
    },
    "mj-text": _PADDING
    | _FONT
    | _BODY_COMMON
    | {"align", "container-background-color", "height"},
    "mj-image": _PADDING
    | _BORDER
    | _BODY_COMMON
    | {
        "align",
        "alt",
        "border-radius",
        "container-background-color",
        "fluid-on-mobile",
        "height",
        "href",
        "name",
        "rel",
        "sizes",
        "src",
        "srcset",
        "target",
        "title",
        "usemap",
        "width",
    },
    "mj-button": _PADDING
    | _BORDER
    | _FONT
    | _BODY_COMMON
    | {
        "align",
        "background-color",
        "border-radius",
        "container-background-color",
        "height",
        "href",
        "inner-padding",
        "name",
        "rel",
        "target",
        "text-align",
        "title",
        "vertical-align",
        "width",
    },
    "mj-divider": _PADDING
    | _BODY_COMMON
    | {
        "align",
        "border-color",
        "border-style",
        "border-width",
        "container-background-color",
        "width",
    },
    "mj-spacer": _PADDING | _BODY_COMMON | {"container-background-color", "height"},
    "mj-table": _PADDING
    | _FONT
    | _BODY_COMMON
    | {
        "align",
        "border",
        "cellpadding",
        "cellspacing",
        "container-background-color",
        "role",
        "table-layout",
        "width",
    },
}
"""Each MJML component bulletin accepts, with the attributes it accepts."""

# Inside these, content is HTML (or CSS, or text): not MJML.
_ENDING = (
    "mj-text",
    "mj-button",
    "mj-raw",
    "mj-table",
    "mj-style",
    "mj-title",
    "mj-preview",
)
_OPEN_ANY = frozenset({"mj-all", "mj-class"})
_TAG = re.compile(
    r"<(/?)([a-zA-Z][\w-]*)((?:\s+[^\s=/>]+(?:\s*=\s*\"[^\"]*\")?)*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:\s*=\s*\"[^\"]*\")?")


def check_mjml(mjml: str, *, source: str = "layout") -> None:
    """Raise :class:`LayoutError` at the first unknown MJML tag or attribute.

    Args:
        mjml: the document a layout produced.
        source: named in the message, e.g. ``layout 'classic'``.
    """
    position = 0
    in_attributes = False
    while True:
        match = _TAG.search(mjml, position)
        if match is None:
            return
        closing, tag, attributes, _ = match.groups()
        position = match.end()
        line = mjml.count("\n", 0, match.start()) + 1
        if tag in _ENDING and not closing:
            _check_attributes(tag, attributes, source, line)
            end = mjml.find(f"</{tag}>", position)
            position = position if end < 0 or match.group(4) else end + len(tag) + 3
            continue
        if tag == "mj-attributes":
            in_attributes = not closing
        if closing:
            continue
        if tag not in COMPONENTS:
            _fail(f"unknown MJML tag <{tag}>", tag, COMPONENTS, source, line)
        if not (in_attributes and tag in _OPEN_ANY) and tag not in _OPEN_ANY:
            _check_attributes(tag, attributes, source, line)


def _check_attributes(tag: str, attributes: str, source: str, line: int) -> None:
    allowed = COMPONENTS[tag]
    for name in _ATTRIBUTE.findall(attributes):
        if name not in allowed:
            _fail(f"unknown attribute {name!r} on <{tag}>", name, allowed, source, line)


def _fail(
    problem: str, name: str, known: Iterable[str], source: str, line: int
) -> None:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise LayoutError(f"{source}: MJML line {line}: {problem}{hint}")
