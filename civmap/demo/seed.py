"""Filling a store with the demo city: the ``seed`` command, and the app's and the CLI's
first run on the embedded store (which starts empty).

Opening a store never seeds it (:func:`civmap.storage.open_store`); this module does, so
storage does not depend on the demo.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Callable

from civmap.config import Settings, load_settings
from civmap.demo.generate import STEPS, generate_city
from civmap.storage import Store, open_store
from civmap.storage.writes import OfficeDataError, is_empty, office_rows_of, replace_contents

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["seed_demo", "open_first_run", "needs_first_run", "SEED_STEPS"]

#: What seeding the demo city does, in order: the city's making, then writing it to the store.
SEED_STEPS = (*STEPS, "store")

_SEED_LOCK = threading.Lock()


def seed_demo(engine: Engine, seed: int, scale: float = 1.0, as_of: dt.date | None = None,
              only_if_empty: bool = False, replace_office_data: bool = False,
              progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Replace the store's contents with a freshly generated demo city and its demo accounts
    (:mod:`civmap.demo.accounts`: one per role, password ``civmap-demo``).

    ``progress`` is called with each of :data:`SEED_STEPS` as it starts.

    Refuses (``OfficeDataError``, before anything is written) when the store holds an
    office's own data, unless ``replace_office_data``: one mistyped command must not wipe a
    city's ledgers. With ``only_if_empty``, leave a store that has any rows alone (checked
    under the write lock, so two processes opening a new embedded store at once seed it
    once); returns {} then.
    """
    if not replace_office_data and not only_if_empty:  # refuse at once, before generating a city
        held = office_rows_of(engine)
        if held:
            raise OfficeDataError(held)
    city = generate_city(seed=seed, scale=scale, as_of=as_of, progress=progress)
    if progress is not None:
        progress("store")
    meta = {"demo_seed": str(seed), "demo_scale": str(scale), "demo_as_of": city.as_of.isoformat()}
    # checked again under the write lock, against a concurrent import
    if not replace_contents(engine, city.tables, meta, only_if_empty=only_if_empty,
                            replace_office_data=replace_office_data):
        return {}
    from civmap.demo.accounts import make_demo_accounts
    from civmap.vocab import load_vocabulary

    make_demo_accounts(engine, load_vocabulary(load_settings().vocab_dir), city.tables, city.as_of)
    return {name: len(frame) for name, frame in city.tables.items()}



def needs_first_run(settings: Settings | None = None) -> bool:
    """True when opening the configured store will seed the demo city (the embedded store,
    still empty): the app then shows the steps instead of a blank page."""
    settings = settings or load_settings()
    if not settings.is_default_store:
        return False
    store = open_store(settings)
    try:
        return is_empty(store.engine)
    finally:
        store.engine.dispose()


def open_first_run(settings: Settings | None = None, seed_if_empty: bool | None = None,
                   progress: Callable[[str], None] | None = None) -> Store:
    """Open the configured store, filling the embedded one with the demo city on first run.

    ``seed_if_empty`` overrides the default (seed only the embedded store): ``status`` asks
    for False, a test for True on an existing, empty office store. ``progress`` hears each
    of :data:`SEED_STEPS` when (and only when) the city is seeded.
    """
    settings = settings or load_settings()
    store = open_store(settings)
    if seed_if_empty if seed_if_empty is not None else settings.is_default_store:
        with _SEED_LOCK:
            if is_empty(store.engine):
                seed_demo(store.engine, settings.demo_seed, only_if_empty=True, progress=progress)
    return store
