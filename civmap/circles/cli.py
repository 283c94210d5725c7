"""``python -m civmap circles`` and ``python -m civmap ties``: the circles and problem ties.

Both compute exactly what the Circles page shows (``civmap.circles.membership.load_circle_data``),
with the configured radius, centre kinds, tie distance and state rule unless the
options override them.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from civmap.circles.state import CircleRule
from civmap.circles.membership import MEMBER_GROUPS, load_circle_data, summarise
from civmap.console import print_frame
from civmap.config import load_settings
from civmap.i18n import t
from civmap.circles.ties import needs_a_look, tie_summary
from civmap.vocab import load_vocabulary

__all__ = ["REGISTERS", "circles_frame", "members_frame"]

_COORD_DECIMALS = 7   # about 1 cm
_METRE_DECIMALS = 2


def _kinds(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if text is None else tuple(k.strip() for k in text.split(",") if k.strip())


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of metres") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of metres")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--tie-distance", type=_positive, default=None, metavar="M",
                        help="farthest a problem may be from a place to be tied to it (default: "
                             "CIVMAP_TIE_DISTANCE_M)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of labels (default: CIVMAP_LANG)")


def _load(args: argparse.Namespace):
    from civmap.console import operator_store

    settings = load_settings()
    vocab = load_vocabulary(settings.vocab_dir)
    store = operator_store()
    radius = getattr(args, "radius", None) or settings.circle_radius_m
    kinds = _kinds(getattr(args, "kinds", None), settings.centre_kinds)
    tie = args.tie_distance if args.tie_distance is not None else settings.tie_distance_m
    data = load_circle_data(store, vocab, radius, kinds, tie)
    return settings, vocab, store, data


def circles_frame(summary: pd.DataFrame, vocab, district_names: dict[str, str], lang: str) -> pd.DataFrame:
    """The circle list as printed: codes and labels, WGS-84 centre, counts and state."""
    out = pd.DataFrame({
        "circle_id": summary["circle_id"], "name": summary["name"], "kind": summary["kind"],
        "kind_name": summary["kind"].map(vocab.labels("centre_kinds", lang)),
        "district": summary["district_code"].map(district_names).fillna(summary["district_code"]),
        "centre_id": summary["centre_id"],
        "centre_lon": summary["centre_lon"].round(_COORD_DECIMALS),
        "centre_lat": summary["centre_lat"].round(_COORD_DECIMALS),
        "chief": summary["chief_name"],
    })
    for group in MEMBER_GROUPS:
        out[group] = summary[f"n_{group}"]
    out["members"] = summary["members"]
    out["open"] = summary["open"]
    out["overdue"] = summary["overdue"]
    out["standard_share"] = summary["standard_share"].round(3)
    out["state"] = summary["state"].map(lambda s: t(f"circles.state.{s}", lang))
    return out


def members_frame(data, vocab, lang: str) -> pd.DataFrame:
    """One row per (circle, member), with the circle's centre id and coordinates."""
    circles = data.circles.set_index("id")
    m = data.members
    return pd.DataFrame({
        "circle_id": m["circle_id"],
        "centre_id": m["centre_id"],
        "centre_lon": circles.geometry.x.reindex(m["circle_id"]).round(_COORD_DECIMALS).to_numpy(),
        "centre_lat": circles.geometry.y.reindex(m["circle_id"]).round(_COORD_DECIMALS).to_numpy(),
        "member_id": m["member_id"],
        "member_type": m["place_type"],
        "name": m["name"],
        "category": m["category"],
        "kind": m["category"].map(vocab.labels("point_categories", lang)).fillna(m["category"]),
        "lon": m["lon"].round(_COORD_DECIMALS),
        "lat": m["lat"].round(_COORD_DECIMALS),
        "distance_m": m["distance_m"].round(_METRE_DECIMALS),
    })


def _print_members_table(listing: pd.DataFrame, members: pd.DataFrame, lang: str, out) -> None:
    by_circle = dict(tuple(members.groupby("circle_id", sort=False)))
    for row in listing.itertuples(index=False):
        out.write(t("circles.cli.heading", lang, id=row.circle_id, name=row.name, centre=row.centre_id,
                    lon=f"{row.centre_lon:.{_COORD_DECIMALS}f}", lat=f"{row.centre_lat:.{_COORD_DECIMALS}f}",
                    members=row.members) + "\n")
        rows = by_circle.get(row.circle_id)
        if rows is not None and len(rows):
            shown = rows.drop(columns=["circle_id", "centre_id", "centre_lon", "centre_lat"])
            out.write(shown.to_string(index=False) + "\n\n")
        else:
            out.write("  —\n\n")


def _cmd_circles(args: argparse.Namespace) -> int:
    settings, vocab, store, data = _load(args)
    lang = args.lang or settings.lang
    rule = CircleRule.parse(args.rule, "--rule") if args.rule else \
        CircleRule.parse(settings.circle_rule, "CIVMAP_CIRCLE_RULE")
    listing = circles_frame(summarise(data, rule), vocab, store.district_names(lang), lang)
    out = sys.stdout
    if not args.members:
        print_frame(listing, args.format, out)
    else:
        members = members_frame(data, vocab, lang)
        if args.format == "csv":
            print_frame(members, "csv", out)
        elif args.format == "json":
            records = json.loads(listing.to_json(orient="records", force_ascii=False))
            grouped = {cid: json.loads(rows.drop(columns=["circle_id", "centre_id", "centre_lon", "centre_lat"])
                                       .to_json(orient="records", force_ascii=False))
                       for cid, rows in members.groupby("circle_id", sort=False)}
            for record in records:
                record["member_list"] = grouped.get(record["circle_id"], [])
            out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        else:
            _print_members_table(listing, members, lang, out)
    if args.format == "table":
        out.write(t("circles.cli.footer", lang, n=len(listing), radius=f"{data.radius_m:g}",
                    kinds=",".join(data.kinds), rule=rule.describe(lang, vocab.labels("alley_states", lang)))
                  + "\n")
    return 0


def register_circles(sub) -> tuple[str, callable]:
    parser = sub.add_parser("circles", help="key point-circles with member counts (and members) and state")
    parser.add_argument("--radius", type=_positive, default=None, metavar="M",
                        help="circle radius in metres on the ground (default: CIVMAP_CIRCLE_RADIUS_M)")
    parser.add_argument("--kinds", default=None, metavar="K1,K2",
                        help="centre kinds, comma-separated (default: CIVMAP_CENTRE_KINDS)")
    parser.add_argument("--members", action="store_true",
                        help="list each member: id, name, kind, WGS-84 lon/lat of its point nearest the "
                             "centre, and ground distance to the centre in metres")
    parser.add_argument("--rule", default=None, metavar="RULE",
                        help="state rule, e.g. max_overdue=0,max_open=5,min_standard=0.7 "
                             "(default: CIVMAP_CIRCLE_RULE)")
    _common(parser)
    return "circles", _cmd_circles


def _cmd_ties(args: argparse.Namespace) -> int:
    settings, _vocab, store, data = _load(args)
    lang = args.lang or settings.lang
    ties = data.ties
    shown = ties[needs_a_look(ties, point_differs=args.all)]
    shown = shown.assign(distance_m=shown["distance_m"].round(_METRE_DECIMALS))
    summary = tie_summary(ties)
    if args.format == "json":
        print(json.dumps({"summary": summary, "tie_distance_m": data.tie_distance_m,
                          "problems": json.loads(shown.to_json(orient="records", force_ascii=False))},
                         ensure_ascii=False, indent=2))
    else:
        if len(shown) or args.format != "table":
            print_frame(shown, args.format)
        else:
            print(t("ties.cli.none", lang))
        if args.format == "table":
            print(t("ties.cli.footer", lang, distance=f"{data.tie_distance_m:g}", **summary))
    return 0


def register_ties(sub) -> tuple[str, callable]:
    parser = sub.add_parser("ties", help="problems tied to districts and nearest places; lists those flagged")
    parser.add_argument("--all", action="store_true",
                        help="also list problems whose nearest place differs from the ledger's point")
    _common(parser)
    return "ties", _cmd_ties


REGISTERS = [register_circles, register_ties]
