"""The report texts' Markdown, rendered to HTML by markdown-it-py (CommonMark): raw HTML in a
text is shown as text, never interpreted, and a link is kept only when its target is http(s),
a relative path or an anchor (`javascript:`, `data:`, `vbscript:`, `file:`... are left as text).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
ALLOWED_SCHEMES = ("http", "https")


def is_safe_link(url: str) -> bool:
    """http(s) URLs, relative paths and anchors; nothing with another scheme."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url or "")
    match = _SCHEME.match(cleaned)
    if match is None:
        return not cleaned.startswith("//")  # protocol-relative URLs reach the network
    return match.group(1).lower() in ALLOWED_SCHEMES


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


def html(markdown: str) -> Markup:
    """Block Markdown (paragraphs, lists, emphasis, code, links) as safe HTML."""
    return Markup(_parser().render(markdown or ""))


def inline_html(markdown: str) -> Markup:
    """One line of Markdown without a wrapping paragraph."""
    return Markup(_parser().renderInline(markdown or ""))
