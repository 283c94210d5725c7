"""``python -m civmap users``, ``wall-token`` and ``audit``: accounts from the command line.

The command line acts as the operator (``civmap.audit.operator()``), or with ``--as LOGIN``
as that account (which must have the right), and the trail says so.
A password is read with ``getpass`` (typed twice) or, for scripts, as one line from
standard input with ``--password-stdin``; never from the arguments, where ``ps`` and the
shell history would show it, and it is never printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from civmap.config import load_settings
from civmap.i18n import t

__all__ = ["REGISTERS"]


def _context():
    from civmap.storage import open_store
    from civmap.vocab import load_vocabulary

    settings = load_settings()
    return open_store(settings).engine, load_vocabulary(settings.vocab_dir), settings.lang


def _password(args, lang: str) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValueError("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("password: no terminal to type it in; pass it on standard input with --password-stdin")
    first = getpass.getpass(t("accounts.cli.password", lang))
    if getpass.getpass(t("accounts.cli.password_again", lang)) != first:
        raise ValueError("password: the two entries differ; nothing was changed")
    return first


def _area(args):
    from civmap.accounts import Area

    return Area(args.district or [], args.street or [], args.unit)


def _print_users(users, fmt: str) -> None:
    import pandas as pd

    from civmap.console import print_frame

    frame = pd.DataFrame([{"login": u.login, "display_name": u.display_name, "role": u.role,
                           "area": " ".join(u.districts + u.streets + ((u.unit_code,) if u.unit_code else ())),
                           "disabled": u.disabled, "password": u.has_password, "sso": u.sso_sub or u.sso_email or ""}
                          for u in users], columns=["login", "display_name", "role", "area", "disabled", "password",
                                                    "sso"])
    print_frame(frame, fmt)


def _cmd_users(args: argparse.Namespace) -> int:
    from civmap import accounts
    from civmap.console import acting_role, actor

    engine, vocab, lang = _context()
    lang = args.lang or lang
    who = actor()
    role = acting_role()
    if args.action != "list" and role is not None and not role.may("manage_accounts"):
        raise ValueError(f"--as: role {role.code!r} may not manage accounts; nothing was changed")
    if args.action == "list":
        _print_users(accounts.list_users(engine), args.format)
        return 0
    if args.action == "add":
        password = None if args.no_password else _password(args, lang)
        user = accounts.add_user(engine, vocab, who, args.login, args.name, args.role, _area(args), password,
                                 args.sso_sub, args.sso_email)
        print(t("accounts.cli.added", lang, login=user.login, role=accounts.role_of(vocab, user.role).label(lang)))
    elif args.action == "disable":
        accounts.set_disabled(engine, who, args.login, not args.enable)
        print(t("accounts.cli.enabled" if args.enable else "accounts.cli.disabled", lang, login=args.login))
    elif args.action == "passwd":
        accounts.set_password(engine, who, args.login, _password(args, lang))
        print(t("accounts.cli.password_set", lang, login=args.login))
    elif args.action == "role":
        user = accounts.set_role(engine, vocab, who, args.login, args.role, _area(args))
        print(t("accounts.cli.role_set", lang, login=user.login, role=accounts.role_of(vocab, user.role).label(lang)))
    return 0


def _cmd_token(args: argparse.Namespace) -> int:
    from civmap import accounts
    from civmap.audit import operator
    from civmap.console import print_frame

    engine, vocab, lang = _context()
    lang = args.lang or lang
    if args.action == "issue":
        token = accounts.issue_token(engine, vocab, operator(), args.login, args.label)
        print(t("accounts.cli.token_issued", lang, login=args.login), file=sys.stderr)
        print(token)  # alone on stdout, so a script can take it; it is not kept anywhere
    elif args.action == "revoke":
        accounts.revoke_token(engine, operator(), args.id)
        print(t("accounts.cli.token_revoked", lang, id=args.id))
    else:
        print_frame(accounts.list_tokens(engine), args.format)
    return 0


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None


def _cmd_audit(args: argparse.Namespace) -> int:
    from civmap.audit import trail
    from civmap.console import print_frame
    from civmap.storage import open_store

    frame = trail(open_store(load_settings()).engine, since=args.since, until=args.until,
                  actions=tuple(args.action or ()))
    print_frame(frame.assign(at=frame["at"].dt.strftime("%Y-%m-%d %H:%M:%S")), args.format)
    return 0


def _area_options(parser) -> None:
    parser.add_argument("--district", action="extend", nargs="+", help="district code(s) of a district role")
    parser.add_argument("--street", action="extend", nargs="+", help="street code(s) of a street role")
    parser.add_argument("--unit", default=None, help="responsible unit code of a unit role")


def _password_option(parser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input instead of asking for it")


def register_users(sub) -> tuple[str, callable]:
    parser = sub.add_parser("users", help="add, list, disable accounts; change a password or a role")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account")
    add.add_argument("login")
    add.add_argument("--name", required=True, help="name shown in the app and the history")
    add.add_argument("--role", required=True, help="role code from roles.csv (office, district_head ...)")
    _area_options(add)
    add.add_argument("--sso-sub", default=None, help="the single sign-on subject (sub claim) of this person")
    add.add_argument("--sso-email", default=None, help="the single sign-on e-mail of this person")
    add.add_argument("--no-password", action="store_true", help="no password: single sign-on or screen token only")
    _password_option(add)
    listing = actions.add_parser("list", help="every account (never a password)")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    disable = actions.add_parser("disable", help="switch an account off (its history stays)")
    disable.add_argument("login")
    disable.add_argument("--enable", action="store_true", help="switch it back on")
    passwd = actions.add_parser("passwd", help="set a new password (also lifts a lock-out)")
    passwd.add_argument("login")
    _password_option(passwd)
    role = actions.add_parser("role", help="give an account another role and area")
    role.add_argument("login")
    role.add_argument("role")
    _area_options(role)
    return "users", _cmd_users


def register_token(sub) -> tuple[str, callable]:
    parser = sub.add_parser("wall-token", help="long-lived sign-in tokens of command-centre screens")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    actions = parser.add_subparsers(dest="action", required=True)
    issue = actions.add_parser("issue", help="a new token for a wall account (shown once)")
    issue.add_argument("login")
    issue.add_argument("--label", required=True, help="which screen, e.g. 指挥中心主屏")
    revoke = actions.add_parser("revoke", help="stop a token from working")
    revoke.add_argument("id", type=int)
    listing = actions.add_parser("list", help="every token issued (never the token)")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return "wall-token", _cmd_token


def register_audit(sub) -> tuple[str, callable]:
    parser = sub.add_parser("audit", help="the audit trail: sign-ins, imports, account changes, problem moves")
    parser.add_argument("--since", type=_moment, default=None, help="from this day or time on (city time)")
    parser.add_argument("--until", type=_moment, default=None, help="before this day or time")
    from civmap.audit import ACTIONS

    parser.add_argument("--action", action="extend", nargs="+", choices=ACTIONS, metavar="ACTION",
                        help=f"only these actions: {', '.join(ACTIONS)}")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return "audit", _cmd_audit


REGISTERS = [register_users, register_token, register_audit]
