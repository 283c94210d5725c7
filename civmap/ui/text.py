"""Stored and uploaded text shown through Streamlit's Markdown: always as plain text.

``st.markdown``, ``st.caption``, ``st.subheader``, ``st.error`` and friends (and widget
labels and ``help``) render Markdown: a point chief called ``[m](javascript:…)`` would
become a link, a phone ``![i](http://…)`` an image the browser fetches, and Streamlit's
own directives (``:red[…]``, ``:material/…:``, ``$…$``) would style or hide text.
Every value from a ledger, an upload or the store passes through ``plain`` before it
is put into such a string; the i18n templates around it keep their own Markdown.
"""

from __future__ import annotations

import re

__all__ = ["plain", "WORD_JOINER"]

#: An invisible character that joins words: it breaks GFM's autolink literals (see below).
WORD_JOINER = "\u2060"

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped
# one is always literal text: no link, image, emphasis, heading, list, table, HTML tag,
# entity, autolink or Streamlit directive can start from it.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# GFM turns bare ``www.x``, ``http(s)://x`` and ``a@b.c`` into links *after* parsing, from
# the text with its escapes resolved, so escaping cannot stop them; a word joiner where
# the pattern needs its ``www.``, ``://`` or ``@`` leaves the text as it looks and unlinked.
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(https?)(?=:)|(?=@)")


def plain(value) -> str:
    """``value`` as text that Streamlit's Markdown renderer shows exactly as written.

    Newlines are kept (a paragraph break stays one); everything else is shown literally,
    with an invisible word joiner (U+2060) before ``.`` of ``www.``, before ``:`` of
    ``http(s):`` and before ``@``, so that no address becomes a link. ``None`` becomes
    the empty string.
    """
    if value is None:
        return ""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or "") + WORD_JOINER, str(value))
    return _PUNCTUATION.sub(r"\\\1", text)
