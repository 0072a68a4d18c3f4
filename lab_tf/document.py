"""A small document (headings, paragraphs, lists, tables, figures, notes) written as Markdown and as one HTML file.

The HTML is self-contained: styles inline, images embedded as data URIs, nothing fetched. It
reads on a phone (fluid images, tables that scroll sideways) and prints (no backgrounds, figures
kept whole). The Markdown links the images from the folder they were copied to. Both are
byte-identical for the same document.
"""

import base64
import html
import os
import re
from dataclasses import dataclass, field

from core_tf.files import atomic_path

__all__ = ["Document", "Figure", "Heading", "Items", "Note", "Paragraph", "Table"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2

    @property
    def anchor(self):
        return re.sub(r"[^a-z0-9]+", "-", self.text.lower()).strip("-")


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    items: tuple


@dataclass(frozen=True)
class Note:
    """A warning or limitation, set apart from the text."""

    text: str


@dataclass(frozen=True)
class Table:
    headers: tuple
    rows: tuple
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """An image file of the report's folder (``path`` relative to it) with its caption."""

    path: str
    caption: str


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1b1b;
max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.8rem;margin-top:0}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{margin-top:1.5rem}
nav ol{columns:2;padding-left:1.2rem}@media(max-width:40rem){nav ol{columns:1}}
.table{overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;
vertical-align:top}th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:.3rem}
figure{margin:1rem 0}img{max-width:100%;height:auto;image-rendering:pixelated;border:1px solid #ddd}
figcaption{font-size:.9rem;color:#444}
.note{border-left:4px solid #c60;background:#fff6ec;padding:.4rem .8rem;margin:.6rem 0}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
@media print{body{max-width:none;padding:0}figure,table,.note{break-inside:avoid}.note{background:none}
nav{display:none}}
"""


@dataclass
class Document:
    """A titled list of blocks; ``write`` renders it into ``report.md`` and ``report.html`` of a folder."""

    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks):
        self.blocks.extend(blocks)

    def headings(self, level=2):
        return [block.text for block in self.blocks if isinstance(block, Heading) and block.level == level]

    def markdown(self):
        parts = [f"# {self.title}"]
        for block in self.blocks:
            if isinstance(block, Heading):
                parts.append(f"{'#' * block.level} {block.text}")
            elif isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Items):
                parts.append("\n".join(f"- {item}" for item in block.items))
            elif isinstance(block, Note):
                parts.append(f"> **Note.** {block.text}")
            elif isinstance(block, Table):
                lines = [f"**{block.caption}**", ""] if block.caption else []
                lines.append("| " + " | ".join(_cell_md(h) for h in block.headers) + " |")
                lines.append("|" + "|".join("---" for _ in block.headers) + "|")
                lines += ["| " + " | ".join(_cell_md(c) for c in row) + " |" for row in block.rows]
                parts.append("\n".join(lines))
            elif isinstance(block, Figure):
                parts.append(f"![{block.caption}]({block.path})\n\n*{block.caption}*")
        return "\n\n".join(parts) + "\n"

    def html(self, folder):
        """The page; the figures' files are read from ``folder`` and embedded."""
        body = [f"<h1>{_inline(self.title)}</h1>"]
        sections = [block for block in self.blocks if isinstance(block, Heading) and block.level == 2]
        if sections:
            body.append("<nav><ol>" + "".join(f'<li><a href="#{h.anchor}">{_inline(h.text)}</a></li>'
                                              for h in sections) + "</ol></nav>")
        for block in self.blocks:
            if isinstance(block, Heading):
                body.append(f'<h{block.level} id="{block.anchor}">{_inline(block.text)}</h{block.level}>')
            elif isinstance(block, Paragraph):
                body.append(f"<p>{_inline(block.text)}</p>")
            elif isinstance(block, Items):
                body.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in block.items) + "</ul>")
            elif isinstance(block, Note):
                body.append(f'<p class="note"><strong>Note.</strong> {_inline(block.text)}</p>')
            elif isinstance(block, Table):
                caption = f"<caption>{_inline(block.caption)}</caption>" if block.caption else ""
                head = "".join(f"<th>{_inline(h)}</th>" for h in block.headers)
                rows = "".join("<tr>" + "".join(_cell_html(c) for c in row) + "</tr>" for row in block.rows)
                body.append(f'<div class="table"><table>{caption}<thead><tr>{head}</tr></thead>'
                            f"<tbody>{rows}</tbody></table></div>")
            elif isinstance(block, Figure):
                with open(os.path.join(folder, block.path), "rb") as file:
                    data = base64.b64encode(file.read()).decode("ascii")
                body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.caption)}">'
                            f"<figcaption>{_inline(block.caption)}</figcaption></figure>")
        return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head>\n<body>\n"
                + "\n".join(body) + "\n</body></html>\n")

    def write(self, folder):
        """Writes ``folder/report.md`` and ``folder/report.html``; returns their paths."""
        paths = os.path.join(folder, "report.md"), os.path.join(folder, "report.html")
        for path, text in zip(paths, (self.markdown(), self.html(folder))):
            with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
                file.write(text)
        return paths


def _cell_md(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def _cell_html(value):
    number = isinstance(value, (int, float)) or bool(re.fullmatch(r"[-+]?[\d.,]+(e[-+]?\d+)?%?", str(value)))
    return f'<td class="n">{_inline(value)}</td>' if number else f"<td>{_inline(value)}</td>"


def _inline(text):
    """HTML of text whose `backticks` mark code and **stars** bold, the only inline Markdown the report writes."""
    escaped = html.escape(str(text), quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
