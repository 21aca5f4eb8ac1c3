"""Reading a status's first link and a page's self-description from HTML."""

from __future__ import annotations

from timeline.link_previews import first_link, iframe_sources, read_page_meta, shorten


def test_the_first_link_skips_mentions_hashtags_other_schemes_and_given_urls() -> None:
    html = (
        '<p><a class="u-url mention" href="https://a.example/@ann">@ann</a> '
        '<a class="mention hashtag" rel="tag" href="https://a.example/tags/x">#x</a> '
        '<a rel="tag" href="https://a.example/tags/y">#y</a> <a href="mailto:x@a.example">mail</a> '
        '<a href="https://files.example/1.png">file</a> <a href="https://news.example/story">story</a> '
        '<a href="https://later.example/">later</a></p>'
    )
    assert first_link(html, skip={"https://files.example/1.png"}) == "https://news.example/story"
    assert first_link("<p>no links</p>") is None
    assert first_link('<p><a href="javascript:alert(1)">x</a></p>') is None


def test_the_first_link_skips_links_to_this_server() -> None:
    html = (
        '<p><a href="https://Coop.example/governance/proposals/2">#2</a> <a href="https://news.example/">news</a></p>'
    )
    assert first_link(html, local_host="coop.example") == "https://news.example/"
    assert first_link(html) == "https://Coop.example/governance/proposals/2"


def test_page_meta_prefers_the_first_of_each_property_and_resolves_relative_urls() -> None:
    meta = read_page_meta(
        """<html lang="fr"><head><title> Le   titre </title>
        <meta property="og:title" content="First"><meta property="og:title" content="Second">
        <meta name="twitter:image" content="img.png">
        <link rel="alternate" type="application/json+oembed" href="/oembed?u=1">
        </head><body><title>not this</title>""",
        "https://site.example/a/page",
    )
    assert meta.title == "Le titre"
    assert meta.language == "fr"
    assert meta.first("og:title") == "First"
    assert meta.first("og:image", "twitter:image") == "img.png"
    assert meta.oembed_url == "https://site.example/oembed?u=1"


def test_malformed_html_yields_what_could_be_read() -> None:
    meta = read_page_meta('<head><meta property="og:title" content="Kept"><meta property=', "https://s.example/")
    assert meta.first("og:title") == "Kept"
    assert meta.title == ""


def test_shorten_collapses_whitespace_and_cuts_with_an_ellipsis() -> None:
    assert shorten("  a \n b  ", 10) == "a b"
    assert shorten("x" * 20, 10) == "x" * 9 + "…"


def test_iframe_sources_lists_every_iframe() -> None:
    assert iframe_sources('<iframe src="https://v.example/1"></iframe><iframe></iframe>') == ["https://v.example/1", ""]
