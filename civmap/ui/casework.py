"""The problem detail view's parts: facts, history, photos and the move forms.

A move form sends the problem's version as the user saw it when the page showed it
(kept in the session per problem); when someone else got there first, the page says so,
shows the new state and only then takes the new version.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civmap import clock
from civmap.accounts import Role, User
from civmap.cases import (
    CaseError, CaseRules, Conflict, Move, PhotoError, history, load_case, make_move, moves_of, offered_moves, photos_of,
    read_photo,
)
from civmap.cases.files import read_file
from civmap.storage.health import StoreError
from civmap.i18n import t
from civmap.ui.core import current_store, lang, settings, vocab
from civmap.ui.text import plain

__all__ = ["facts_table", "history_table", "show_photos", "move_forms", "error_text", "seen_version", "current_case",
           "done_banner"]

_DONE = "civmap_case_done"


def _seen_key(problem_id: str) -> str:
    return f"civmap_seen_version:{problem_id}"


def _done_message(case: dict) -> str | None:
    """What the user's last move on ``case`` did, as long as the case stays as that move left it.

    Kept across runs, not taken at the first: a run cut short by the next one (a click
    while the page still drew) would lose it, the move stored but never confirmed. It goes
    when the case changes again (its version is no longer the one the move made) or another
    case is opened.
    """
    done = st.session_state.get(_DONE)
    if not isinstance(done, dict) or done.get("id") != case["id"] or done.get("version") != case["version"]:
        st.session_state.pop(_DONE, None)
        return None
    return done["text"]


def done_banner(case: dict):
    """The banner of the user's last move on ``case`` (see ``_done_message``), in a slot that
    ``move_forms`` empties when his next move is refused: the refusal is what is current."""
    slot = st.empty()
    text = _done_message(case)
    if text:
        slot.success(text)
    return slot


def seen_version(case: dict) -> int:
    """The version this session last showed; the first view takes the current one."""
    return st.session_state.setdefault(_seen_key(case["id"]), case["version"])


def _status(code) -> str:
    return vocab().label("statuses", code, lang()) if isinstance(code, str) and code else ""


def _change(before, after) -> str:
    """A status change as the history shows it; the first event, from no status, shows where it began."""
    return f"{_status(before)} → {_status(after)}" if _status(before) else _status(after)


def error_text(error: CaseError | PhotoError) -> str:
    code = lang()
    if isinstance(error, PhotoError):
        return t(f"photo.error.{error.code}", code, name=plain(error.name), **error.values)
    values = dict(error.values)
    if "field" in values:
        values["field"] = t(f"case.field.{values['field']}", code)
    if "status" in values:
        values["status"] = _status(values["status"])
    if isinstance(error, Conflict):
        values["actor"] = error.state.get("last_actor") or "?"
    # shown as Markdown by st.error: stored and typed text stays text
    return t(f"case.error.{error.code}", code, **{k: plain(v) if isinstance(v, str) else v for k, v in values.items()})


def facts_table(case: dict, district_names: dict[str, str]) -> pd.DataFrame:
    """Facts as two text columns, field and value: every value shown as text, never as markup;
    the unit by its name, as the map and the lists name it."""
    code, v = lang(), vocab()
    rows = [("description", case["description"]), ("category", v.label("problem_categories", case["category"], code)),
            ("status", _status(case["status"])), ("district", district_names.get(case["district_code"],
                                                                               case["district_code"])),
            ("unit", case.get("unit_name") or case["unit_code"] or ""), ("deadline", case["deadline"] or ""),
            ("found_on", case["found_on"]), ("address", case["address"] or "")]
    return pd.DataFrame({t("case.col.field", code): [t(f"case.fact.{k}", code) for k, _ in rows],
                         t("case.col.value", code): [str(v_) for _, v_ in rows]})


def history_table(problem_id: str) -> pd.DataFrame:
    code = lang()
    moves = moves_of(vocab())
    events = history(current_store().engine, problem_id)
    what = events["move"].map(lambda m: moves[m].label(code) if isinstance(m, str) and m in moves
                              else t("case.import", code))
    return pd.DataFrame({
        t("case.col.at", code): events["at"].astype(str).str[:16],
        t("case.col.who", code): events["who"].astype(str),
        t("case.col.what", code): what,
        t("case.col.status", code): [_change(a, b) for a, b in zip(events["from_status"], events["to_status"])],
        t("case.col.deadline", code): events["deadline"].map(lambda d: "" if pd.isna(d) else str(d)),
        t("case.col.unit", code): events["unit_name"].fillna(events["unit_code"]).fillna("").astype(str),
        t("case.col.note", code): events["note"].fillna("").astype(str),
    })


def show_photos(problem_id: str) -> None:
    code = lang()
    photos = photos_of(current_store().engine, problem_id)
    if photos.empty:
        return
    st.subheader(t("case.photos", code))
    columns = st.columns(4)
    folder = settings().photos_dir
    for i, photo in enumerate(photos.itertuples()):
        with columns[i % 4]:
            st.image(read_file(folder, photo.thumb),
                     caption=plain(f"{t('case.stage.' + photo.stage, code)} · {photo.who} · {str(photo.at)[:16]}"))
            for flag in photo.flag.split():
                distance = "" if pd.isna(photo.distance_m) else f"{photo.distance_m:,.0f}"
                st.warning(t(f"case.flag.{flag}", code, distance=distance))


def _inputs(move: Move, case: dict, units: pd.DataFrame, key: str) -> dict:
    code = lang()
    given: dict = {}
    if "unit" in move.needs:
        usable = units[units["district_code"].isna() | (units["district_code"] == case["district_code"])]
        names = dict(zip(usable["code"], usable["name"]))
        given["unit"] = st.selectbox(t("case.field.unit", code), list(names), format_func=lambda c: names[c],
                                     key=f"{key}:unit")
    if "deadline" in move.needs:
        given["deadline"] = st.date_input(t("case.field.deadline", code), value=clock.today() + dt.timedelta(days=3),
                                          min_value=clock.today(), key=f"{key}:deadline")
    field = "reason" if "reason" in move.needs else "note"
    given["note"] = st.text_area(t(f"case.field.{field}", code), key=f"{key}:note", max_chars=2000)
    if "photo" in move.needs or vocab().statuses["type"].get(move.target or "") in ("fixed", "closed"):
        shot = st.camera_input(t("case.camera", code), key=f"{key}:camera")
        files = st.file_uploader(t("case.upload", code), type=["jpg", "jpeg", "png", "webp"],
                                 accept_multiple_files=True, key=f"{key}:files",
                                 max_upload_size=settings().photo_max_mb)  # the limit read_photo keeps
        given["uploads"] = [f for f in ([shot] if shot is not None else []) + list(files or [])]
    return given


def move_forms(user: User, role: Role, case: dict, units: pd.DataFrame, banner) -> None:
    """One form per move the user may make now; on submit, the move, or the reason it was not
    made (and the last move's ``banner``, from ``done_banner``, goes). A move his role allows
    but the office's rules refuse him here is not offered; a note says why."""
    code = lang()
    rules = CaseRules.from_settings(settings())
    offered, held = offered_moves(vocab(), user, role, case, rules)
    st.subheader(t("case.moves", code))
    if held:  # the one rule that holds a move back: whoever reported the fix does not close it
        st.caption(t("case.held.closer_is_reporter", code))
    if not offered:
        if not held:
            st.caption(t("case.no_moves", code))
        return
    limit = settings().photo_max_mb * 1_000_000
    for move in offered:
        key = f"civmap_move:{case['id']}:{move.code}"
        with st.expander(move.label(code)), st.form(key):
            given = _inputs(move, case, units, key)
            if not st.form_submit_button(t("case.submit", code, move=move.label(code))):
                continue
            try:
                photos = [read_photo(f.getvalue(), f.name, limit) for f in given.pop("uploads", [])]
                moved = make_move(current_store(), vocab(), user, move.code, case["id"], seen_version(case),
                                  rules, photos=photos, **given)
            except Conflict as conflict:
                st.session_state[_seen_key(case["id"])] = conflict.state["version"]
                _refused(banner, error_text(conflict))
                return
            except (CaseError, PhotoError) as error:
                _refused(banner, error_text(error))
                return
            except StoreError as error:  # the write lock stayed taken: nothing was written
                _refused(banner, error.message(code))
                return
            st.session_state.pop(_seen_key(case["id"]), None)
            st.session_state[_DONE] = {"id": case["id"], "version": moved.event_id,  # the case's version the move made
                                       "text": t("case.done", code, move=plain(move.label(code)))}
            st.rerun()


def _refused(banner, text: str) -> None:
    """A move refused: the user has moved on from the last one, whose banner goes for good."""
    banner.empty()
    st.session_state.pop(_DONE, None)
    st.error(text)


def current_case(user: User, problem_id: str) -> dict:
    """The case for the page; raises ``NotFound`` outside the user's area."""
    return load_case(current_store(), user, vocab(), problem_id)
