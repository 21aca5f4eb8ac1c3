"""Plain text becomes safe HTML."""

from __future__ import annotations

from timeline.rendering import render_plain_text


def test_paragraphs_and_line_breaks() -> None:
    assert render_plain_text("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"


def test_markup_is_escaped_and_links_are_made() -> None:
    html = render_plain_text("<script>x</script> see https://a.example/p?q=1&r=2.")
    assert "<script>" not in html
    assert '<a href="https://a.example/p?q=1&amp;r=2"' in html
    assert html.endswith("</a>.</p>")


def test_quotes_cannot_break_out_of_links() -> None:
    html = render_plain_text('https://a.example/"onmouseover="x')
    assert 'onmouseover="' not in html
