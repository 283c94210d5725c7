"""The case flow: a problem's moves from assignment to closing, with a name on every step.

``flow`` is the pure part (moves as data, who may make which); ``act`` applies a move to
the store; ``photos`` checks evidence photos; ``history`` reads a problem's story back.
"""

from civmap.cases.act import CaseRules, Moved, load_case, make_move, offered_moves
from civmap.cases.flow import (
    CaseError, Conflict, Move, NotFound, Refused, allowed_moves, moves_of,
)
from civmap.cases.history import history, photos_of
from civmap.cases.photos import Photo, PhotoError, read_photo

__all__ = ["CaseRules", "Moved", "load_case", "make_move", "offered_moves", "Move", "moves_of", "allowed_moves", "CaseError",
           "Conflict", "NotFound", "Refused", "history", "photos_of", "Photo", "PhotoError", "read_photo"]
