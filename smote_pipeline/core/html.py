"""HTML rendering of the Markdown report (self-contained: figures stay inlined)."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f3f3f3; }
code { background: #f3f3f3; padding: 0 0.2em; }
img { max-width: 100%; }
"""


def render_html(markdown: str | list[str], *, title: str = "SMOTE report") -> str:
    """A standalone HTML page from the report's Markdown.

    Parameters
    ----------
    markdown : str or list of str
        The Markdown text, or its parts (joined by blank lines).
    title : str, default="SMOTE report"
        Page title.

    Returns
    -------
    str
        A complete HTML document; base64 PNG figures remain inline, so the
        page needs no other file.
    """
    text = markdown if isinstance(markdown, str) else "\n\n".join(markdown)
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
