"""civmap's Streamlit side: the only part of civmap that imports Streamlit.

Pages call ``ui.<name>``: the shared frame (``core``: settings, store, language, the
sidebar filters, the city map) and one module per feature. Caches are keyed by the
store's data version and the ``Filters`` value, never by GeoDataFrames (which
``st.cache_data`` cannot hash); the store itself is a resource.
"""

from civmap.ui.core import *  # noqa: F401,F403
from civmap.ui.core import __all__ as _core
from civmap.ui.bulletin import *  # noqa: F401,F403
from civmap.ui.bulletin import __all__ as _bulletin
from civmap.ui.circles import *  # noqa: F401,F403
from civmap.ui.circles import __all__ as _circles
from civmap.ui.params import *  # noqa: F401,F403
from civmap.ui.params import __all__ as _params
from civmap.ui.ledger import *  # noqa: F401,F403
from civmap.ui.ledger import __all__ as _ledger
from civmap.ui.progress import *  # noqa: F401,F403
from civmap.ui.progress import __all__ as _progress
from civmap.ui.setup import *  # noqa: F401,F403
from civmap.ui.setup import __all__ as _setup
from civmap.ui.text import *  # noqa: F401,F403
from civmap.ui.text import __all__ as _text
from civmap.ui.wall import *  # noqa: F401,F403
from civmap.ui.wall import __all__ as _wall

__all__ = [
    *_core, *_bulletin, *_params, *_circles, *_ledger, *_progress, *_setup, *_text, *_wall,
]


