"""Markdown to safe HTML: everything user- or catalog-written goes through here.

Images are the site's own only (a path such as /static/img/x.svg): a remote
image would be fetched by every visitor's browser from someone else's server
(and the Content Security Policy blocks it anyway, leaving it broken). In
Markdown it becomes a link to the image; in raw HTML it loses its src.
"""

import xml.etree.ElementTree as ET

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "dt": {"id"},
    "td": {"align"},
    "th": {"align"},
}


def is_local_image(src: str) -> bool:
    """A path on this site (/static/...), not another host's URL or a protocol-relative one."""
    src = (src or "").strip()
    return src.startswith("/") and not src.startswith("//") and "\\" not in src


class RemoteImagesAsLinks(Treeprocessor):
    """![alt](https://elsewhere/x.png) becomes a link "alt" to the image, never an <img>."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for index, child in enumerate(list(element)):
                if child.tag != "img" or is_local_image(child.get("src", "")):
                    continue
                link = ET.Element("a", {"href": child.get("src", "")})
                link.text = f"Image: {child.get('alt') or child.get('src', '')}"
                link.tail = child.tail
                element.remove(child)
                element.insert(index, link)


class LocalImagesOnly(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(RemoteImagesAsLinks(md), "local_images_only", 1)


EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list", "toc", LocalImagesOnly()]


def _keep_local_image_sources(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_local_image(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_local_image_sources,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> SafeString:
    """Render Markdown (headings shifted below the page's h1) and sanitise it."""
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised by nh3 just above


def render_document(text: str) -> tuple[SafeString, str]:
    """Render a long document; returns (html, table-of-contents html)."""
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs={"toc": {"toc_depth": "2-3"}})
    html = md.convert(text)
    return mark_safe(sanitise_html(html)), mark_safe(sanitise_html(md.toc))  # noqa: S308
