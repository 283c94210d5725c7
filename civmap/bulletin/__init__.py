"""The bulletin (通报): the office's fortnightly report on the campaign, as a Word document.

``figures`` gathers a period's numbers from civmap's own functions, ``images`` draws the
charts and the map as PNG, ``context`` turns both into the words a template fills, and
``document`` fills a docxtpl template (the office's own, or the default under
``data/templates/``) into .docx bytes; ``cli`` is ``python -m civmap bulletin``.
"""

from civmap.bulletin.figures import BulletinData, BulletinOptions, collect, options_from, parse_period

__all__ = ["BulletinData", "BulletinOptions", "collect", "options_from", "parse_period"]
