"""Rendering a folium map without running its text as template code.

branca renders each element's macros (its header, HTML and script parts) with Jinja and
then wraps each output in a new ``Element``, whose constructor compiles that output as a
Jinja template again. Ledger text sits in those outputs (a problem's description in a
layer's rows, a district's name in its tooltip), so a description holding ``{{ … }}`` was
run on the server as template code, with Python's objects in reach: a remote code execution
from one imported row. The second compile also cost most of a map's build (a whole-city
layer is half a megabyte of script for Jinja to read again).

Here every macro's output goes into the page as it is: ``render_page`` renders a map with
``MacroElement.render`` replaced, for the duration of that render, by one that adds the
outputs as ``Verbatim`` text; text of civmap's own (a legend) is added as ``Verbatim`` too.
"""

from __future__ import annotations

import threading

from branca.element import Element, Figure, MacroElement

__all__ = ["Verbatim", "render_page"]


class Verbatim(Element):
    """Text that goes into the page exactly as given: never read as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def _render_macros(self: MacroElement, **kwargs) -> None:
    """``MacroElement.render`` with each macro's output added as ``Verbatim``."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"{type(self).__name__} is not in a Figure and cannot be rendered")
    module = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


#: One render at a time swaps ``MacroElement.render``: every folium page civmap makes is
#: rendered here (``civmap.maps.folium_map.render_html``).
_RENDER = threading.Lock()


def render_page(fmap) -> str:
    """The HTML page of the folium map ``fmap``, its text taken as it is."""
    with _RENDER:
        original = MacroElement.render
        MacroElement.render = _render_macros
        try:
            return fmap.get_root().render()
        finally:
            MacroElement.render = original
