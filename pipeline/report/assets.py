"""Everything report.html inlines: figures as data URIs, a CJK font subset, and the pyLDAvis
explorer's JavaScript and CSS from the files the package ships; and the Jinja2 rendering."""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from ..files import PipelineError
from ..topics.measures import RELEVANCE_LAMBDA

def human_size(n_bytes: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return ""  # unreachable



def href(relative_path: str) -> str:
    """A relative link to an output file; every segment is URL-quoted, so no scheme can sneak in."""
    return quote(relative_path, safe="/")



def script_safe(source: str) -> str:
    """Make JavaScript or CSS safe to inline: no ``</script`` or ``</style`` can end the element."""
    return re.sub(r"</(script|style)", r"<\\/\1", source, flags=re.IGNORECASE).replace("<!--", "<\\!--")


_LDAVIS_STATE_URL = "location.origin + location.pathname"
_LDAVIS_LAMBDA_STARTS = ("vis_state = {\n            lambda: 1,", "old: 1,\n            current: 1\n")


def ldavis_assets() -> dict[str, str]:
    """The d3, LDAvis JS and LDAvis CSS files pyLDAvis ships (what its save_html links from a CDN)."""
    from markupsafe import Markup
    from pyLDAvis import urls

    def read(path: str) -> str:
        return script_safe(Path(path).read_text(encoding="utf-8"))

    ldavis = read(urls.LDAVIS_LOCAL)
    # LDAvis saves its state in the URL with history.replaceState(location.origin + pathname):
    # on file:// pages Firefox's origin is "null", which makes that a cross-document URL and
    # throws. The page's own address without its fragment works in every browser.
    if _LDAVIS_STATE_URL not in ldavis:
        raise PipelineError(f"{urls.LDAVIS_LOCAL}: unexpected LDAvis version (pyLDAvis 3.4.1 is pinned)")
    ldavis = ldavis.replace(_LDAVIS_STATE_URL, 'location.href.split("#")[0]')
    # The slider starts at the λ the labels and the text use, not at LDAvis's 1.
    for start in _LDAVIS_LAMBDA_STARTS:
        if start not in ldavis:
            raise PipelineError(f"{urls.LDAVIS_LOCAL}: unexpected LDAvis version (pyLDAvis 3.4.1 is pinned)")
        ldavis = ldavis.replace(start, start.replace("1", str(RELEVANCE_LAMBDA)))
    # Markup: these are trusted package files, inlined verbatim (script_safe guards the tags).
    return {"d3": Markup(read(urls.D3_LOCAL)), "ldavis": Markup(ldavis), "css": Markup(read(urls.LDAVIS_CSS_LOCAL))}


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


@dataclass
class Figure:
    """An inlined image with links to its files on disk."""

    title: str
    src: str
    path: str
    svg: str = ""
    alt: str = ""


def figure(out: Path, relative: str, title: str) -> Figure | None:
    path = out / relative
    if not path.is_file():
        return None
    svg = path.with_suffix(".svg")
    return Figure(title, data_uri(path.read_bytes(), _MIME.get(path.suffix.lower(), "application/octet-stream")),
                  href(relative), href(svg.relative_to(out).as_posix()) if svg.is_file() and svg != path else "", title)


def font_subset_uri(font_path: Path, text: str) -> str:
    """The CJK font cut down to the characters in ``text``, as a data URI (kilobytes, not 16 MB).

    No OpenType layout features: Chinese needs none, and their closure doubles the glyphs.
    No bounding-box or timestamp recalculation: faster, and the same text gives the same bytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL) records
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(str(font_path), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set(" 0123456789"))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return data_uri(buffer.getvalue(), "font/otf")


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def template_environment():
    """Jinja2 with autoescaping on for every template, and strict undefined variables."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson still escapes < > & ' (so JSON cannot close a <script>); Chinese stays readable.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters["size"] = human_size
    env.filters["href"] = href
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render_pages(templates: Sequence[str], context: dict[str, Any], font_path: Path | None) -> list[str]:
    """Render each template twice: once to learn which characters the pages use, then with one
    font subset holding them all (subsetting costs seconds; do it once)."""
    env = template_environment()
    pages = [env.get_template(name) for name in templates]
    drafts = [page.render(**context, font_uri="") for page in pages]
    if font_path is None:
        return drafts
    font_uri = font_subset_uri(font_path, "".join(drafts))
    return [page.render(**context, font_uri=font_uri) for page in pages]

