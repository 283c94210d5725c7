"""``ui.plain``: stored text put into Streamlit Markdown is shown as written, never as Markdown."""

from __future__ import annotations

import re
import string

import pytest

from civmap.ui.text import WORD_JOINER, plain
from tests.hostile import PAYLOADS

CASES = [
    *PAYLOADS,
    "[m](javascript:alert(1))", "![i](http://127.0.0.1:9/x.png)", "<https://example.com>", "**b** _i_ ~~s~~ `c`",
    "# heading", "- item", "1. one", "> quote", "| a | b |", ":red[red] :material/home: :smile:", "$x^2$",
    "&lt;b&gt; &amp; &#60;", "back\\slash\\", "www.example.com", "HTTPS://Example.com", "a@b.com",
    "line one\nline two\n\n# not a heading", "张三（13800138000）", string.punctuation, "",
]


def _read_back(markdown: str) -> str:
    """What a CommonMark renderer shows for text made only of backslash escapes and letters."""
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.S).replace(WORD_JOINER, "")


@pytest.mark.parametrize("text", CASES)
def test_every_markdown_character_is_escaped_and_nothing_is_lost(text):
    out = plain(text)
    assert _read_back(out) == text
    # Every ASCII punctuation character is escaped: no Markdown construct can start.
    unescaped = re.sub(r"\\.", "", out, flags=re.S)
    assert not set(unescaped) & set(string.punctuation), unescaped


@pytest.mark.parametrize("text", ["www.example.com", "see http://evil.example/x", "https://a.b", "mail a@b.com"])
def test_bare_addresses_cannot_become_links(text):
    # GFM links www., http(s):// and e-mail addresses from the parsed text, escapes resolved:
    # a word joiner must sit inside each pattern.
    shown = re.sub(r"\\(.)", r"\1", plain(text))
    assert not re.search(r"(?i)www\.|https?:|\w@", shown)
    assert shown.replace(WORD_JOINER, "") == text


def test_plain_takes_any_value():
    assert plain(None) == ""
    assert plain(12.5) == r"12\.5"
    assert plain("普通文字") == "普通文字"
