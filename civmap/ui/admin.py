"""The office's account page: accounts listed, added and changed; the audit trail read and
exported. Every change goes through ``civmap.accounts`` as the signed-in office user."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civmap import accounts, audit
from civmap.accounts import Area, User
from civmap.i18n import t
from civmap.safecells import csv_text
from civmap.ui.core import city_store, district_names, lang, vocab
from civmap.ui.text import plain

__all__ = ["users_table", "add_user_form", "change_user_form", "audit_section"]


def users_table() -> pd.DataFrame:
    code = lang()
    roles = accounts.roles_of(vocab())
    rows = [{t("admin.col.login", code): u.login, t("admin.display_name", code): u.display_name,
             t("admin.role", code): roles[u.role].label(code) if u.role in roles else u.role,
             t("admin.col.area", code): " ".join(u.districts + u.streets + ((u.unit_code,) if u.unit_code else ())),
             t("admin.col.disabled", code): u.disabled} for u in accounts.list_users(city_store().engine)]
    return pd.DataFrame(rows)


def _area_inputs(key: str) -> Area:
    code = lang()
    names = district_names()
    streets = city_store().areas("street")
    street_names = dict(zip(streets["code"], streets["name"]))
    units = city_store().units()
    unit_names = dict(zip(units["code"], units["name"]))
    districts = st.multiselect(t("admin.districts", code), list(names), format_func=names.get, key=f"{key}:d",
                               placeholder=t("filter.choose_placeholder", code))
    chosen_streets = st.multiselect(t("admin.streets", code), list(street_names), format_func=street_names.get,
                                    key=f"{key}:s", placeholder=t("filter.choose_placeholder", code))
    unit = st.selectbox(t("admin.unit", code), [""] + list(unit_names), format_func=lambda c: unit_names.get(c, ""),
                        key=f"{key}:u")
    return Area(districts, chosen_streets, unit or None)


def _role_input(key: str) -> str:
    code = lang()
    roles = accounts.roles_of(vocab())
    return st.selectbox(t("admin.role", code), list(roles), format_func=lambda r: roles[r].label(code), key=key)


def add_user_form(actor: User) -> None:
    code = lang()
    with st.expander(t("admin.add", code)), st.form("civmap_add_user"):
        login = st.text_input(t("admin.col.login", code))
        name = st.text_input(t("admin.display_name", code))
        role = _role_input("civmap_add_role")
        area = _area_inputs("civmap_add_area")
        password = st.text_input(t("admin.password", code), type="password")
        if st.form_submit_button(t("admin.add", code)):
            try:
                accounts.add_user(city_store().engine, vocab(), actor.login, login, name, role, area,
                                  password=password or None)
            except ValueError as error:  # names the field; never echoes the password
                st.error(plain(str(error)))
                return
            st.success(t("admin.added", code, login=plain(login.strip())))


def change_user_form(actor: User) -> None:
    code = lang()
    logins = [u.login for u in accounts.list_users(city_store().engine) if u.login != actor.login]
    if not logins:
        return
    with st.expander(t("admin.change", code)), st.form("civmap_change_user"):
        login = st.selectbox(t("admin.account", code), logins)
        role = _role_input("civmap_change_role")
        area = _area_inputs("civmap_change_area")
        left, middle, right = st.columns(3)
        disable = left.form_submit_button(t("admin.disable", code))
        enable = middle.form_submit_button(t("admin.enable", code))
        change = right.form_submit_button(t("admin.set_role", code))
        try:
            if disable or enable:
                accounts.set_disabled(city_store().engine, actor.login, login, disabled=disable)
            elif change:
                accounts.set_role(city_store().engine, vocab(), actor.login, login, role, area)
            else:
                return
        except ValueError as error:
            st.error(plain(str(error)))
            return
        st.success(t("admin.done", code))


def audit_section() -> None:
    code = lang()
    st.subheader(t("admin.audit", code))
    since = st.date_input(t("admin.since", code), value=None, key="civmap_audit_since")
    trail = audit.trail(city_store().engine, since=dt.datetime.combine(since, dt.time()) if since else None)
    shown = trail.assign(at=trail["at"].dt.strftime("%Y-%m-%d %H:%M:%S")).rename(columns={
        c: t(f"admin.col.{c}", code) for c in ("at", "actor", "action", "subject", "detail")})
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(t("admin.download", code), csv_text(shown).encode("utf-8-sig"), file_name="audit.csv",
                       mime="text/csv")
