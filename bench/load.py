"""Load: N simulated users against several app processes on one store, for a bounded time.

Starts ``--processes`` app processes (``streamlit run dashboard.py``, 2 by default) on
localhost against one store and spreads ``--users`` simulated users over them, each kept on
its process as a sticky proxy keeps a browser. A user loads pages (overview, progress,
circles, the wall, whose clock and board then refresh by themselves), changes the sidebar
filters, and thinks between actions. Every ``--change-every`` seconds one of them changes a
problem's status through civmap's case flow (``civmap.cases.make_move``) under its own
account, as the problem page does. Users speak Streamlit's websocket protocol
(``load_client.py``): a response time is from the request to the page's last element.

At the end it prints the median, 95th percentile and worst response per kind of action,
every failure (exception, store fault, dropped connection, timeout), how often the sign-in
form was shown, each process's resident memory at minute 5 (the middle of a shorter run)
and at the end, and checks that no status change was lost: every one is in the store
afterwards, and every process shows the same open count as the store. Exit status 1 when
anything failed or was lost.

The store must hold a city (``python -m civmap seed --scale 10``); the run adds one office
account per user (``load01``, ...) and changes problems' statuses in it: use a copy, not an
office's store. Run from the repository root::

    CIVMAP_DATABASE_URL=sqlite:///$PWD/var/load10.sqlite python -m civmap seed --scale 10
    python bench/load.py --db sqlite:///$PWD/var/load10.sqlite --users 20 --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civmap import accounts  # noqa: E402
from civmap.cases import CaseError, CaseRules, load_case, make_move  # noqa: E402
from civmap.filters import Filters  # noqa: E402
from civmap.storage import make_engine  # noqa: E402
from civmap.storage.health import StoreError  # noqa: E402
from civmap.storage.opening import check_schema  # noqa: E402
from civmap.storage.store import Store  # noqa: E402
from civmap.testing import app_process  # noqa: E402
from civmap.vocab import load_vocabulary  # noqa: E402
from load_client import AppSession, RunFailed  # noqa: E402

#: Pages a user opens, with how often (the wall with a 20 s data refresh, so it refreshes
#: while a user stays on it).
PAGES = (("", "", 5), ("progress", "", 2), ("circles", "", 1.5), ("wall", "refresh=20", 1.5))
#: How long a user keeps the wall open before moving on (seconds).
WALL_STAY_S = 45
#: The moves made, by the status they start from: each takes a problem out of its pool.
MOVES = {"assigned": "start", "reported": "close"}
OPEN_TILE = "未办结问题"
PASSWORD = "Load-test-2026!"


@dataclass
class Sample:
    kind: str
    seconds: float
    where: str


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: set[str] = field(default_factory=set)
    sign_in_forms: int = 0
    moves: list[tuple[str, str, int]] = field(default_factory=list)  # problem, status, event id

    def record(self, kind: str, run, where: str) -> None:
        self.samples.append(Sample(kind, run.seconds, where))
        self.errors.extend(f"{kind} on {where}: {e}" for e in run.errors)
        self.notices.update(re.sub(r"[\d.,]+", "#", n)[:40] + "…" for n in run.notices)  # one per kind


# -- one user ---------------------------------------------------------------------------------
async def user(n: int, url: str, end: float, think: float, tally: Tally, rng: random.Random) -> None:
    login = f"load{n:02d}"
    session = AppSession(url)
    where = f"{url} user {login}"
    try:
        while time.monotonic() < end:
            try:
                page, query = _pick_page(rng)
                run = await session.open(page, query)
                tally.record(f"page load /{page}" + ("" if page else " (overview)"), run, where)
                if run.sign_in:
                    tally.sign_in_forms += 1
                    run = await session.sign_in(login, PASSWORD)
                    tally.record("sign-in", run, where)
                    if run.sign_in:
                        tally.errors.append(f"sign-in as {login} refused on {where}")
                        return
                if page == "wall":
                    for every, refresh in await session.auto_reruns(min(WALL_STAY_S, max(0.0, end - time.monotonic()))):
                        tally.record("wall clock tick" if every <= 1 else "wall data refresh", refresh, where)
                    continue
                for _ in range(rng.randint(1, 4)):  # a few filter changes on the page, then elsewhere
                    await asyncio.sleep(rng.expovariate(1 / think))
                    if time.monotonic() >= end:
                        return
                    key = rng.choice(("f_statuses", "f_districts"))
                    options = session.options(key)
                    picked = rng.sample(options, rng.randint(1, min(3, len(options)))) if options else []
                    tally.record("filter change", await session.change(key, picked), where)
                await asyncio.sleep(rng.expovariate(1 / think))
            except (RunFailed, OSError, KeyError, websockets.WebSocketException) as error:
                tally.errors.append(f"{where}: {type(error).__name__}: {error}")
                await asyncio.sleep(1)
    finally:
        await session.close()


def _pick_page(rng: random.Random) -> tuple[str, str]:
    page, query, _ = rng.choices(PAGES, weights=[w for *_, w in PAGES])[0]
    return page, query


# -- status changes through the case flow -----------------------------------------------------
def _move(store: Store, vocab, login: str, problem_id: str, status: str, rules: CaseRules) -> tuple[int, str]:
    user_account = accounts.get_user(store.engine, login)
    case = load_case(store, user_account, vocab, problem_id)
    moved = make_move(store, vocab, user_account, MOVES[status], problem_id, case["version"], rules)
    return moved.event_id, moved.status


async def changer(store: Store, vocab, logins: list[str], pool: list[tuple[str, str]], every: float, end: float,
                  tally: Tally, rules: CaseRules) -> None:
    """One status change every ``every`` seconds, each by the next user, each its own task,
    so a slow write does not hold back the next one."""
    tasks, turn = [], 0
    while time.monotonic() < end and pool:
        problem_id, status = pool.pop()
        login = logins[turn % len(logins)]
        turn += 1

        async def one(problem_id=problem_id, status=status, login=login):
            start = time.monotonic()
            try:
                event_id, new_status = await asyncio.to_thread(_move, store, vocab, login, problem_id, status, rules)
            except (CaseError, StoreError, OSError) as error:  # StoreLocked: the write lock stayed taken
                tally.errors.append(f"status change of {problem_id} by {login}: {type(error).__name__}: {error}")
                return
            tally.samples.append(Sample("status change", time.monotonic() - start, login))
            tally.moves.append((problem_id, new_status, event_id))

        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(every)
    await asyncio.gather(*tasks)


# -- memory -----------------------------------------------------------------------------------
def resident_mb(pid: int) -> float | None:
    """The process's resident memory (VmRSS) in MB, from /proc; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def memory(pids: dict[str, int], start: float, mark_s: float, end: float, out: dict) -> None:
    """Resident memory of each process: sampled every 5 s (for the peak), printed every
    minute, and kept at ``mark_s`` (minute 5 of a 10-minute run) and at the end."""
    marked, printed = False, 0
    while True:
        now = time.monotonic()
        sample = {name: resident_mb(pid) or 0.0 for name, pid in pids.items()}
        for name, mb in sample.items():
            figures = out.setdefault(name, {"peak": 0.0})
            figures["peak"] = max(figures["peak"], mb)
        show = False
        if not marked and now - start >= mark_s:
            marked = show = True
            for name, mb in sample.items():
                out[name]["mark"] = mb
        if now - start >= 60 * (printed + 1):
            printed, show = int((now - start) // 60), True
        if show:
            print(f"  [{(now - start) / 60:.1f} min] resident memory: "
                  + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sample.items()), flush=True)
        if now >= end:
            break
        await asyncio.sleep(min(5.0, max(0.1, end - now)))
    for name, pid in pids.items():
        out[name]["end"] = resident_mb(pid) or 0.0


# -- the run ----------------------------------------------------------------------------------
def prepare(store: Store, vocab, users: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The users' office accounts (made once), and the problems their changes will move."""
    for n in range(1, users + 1):
        login = f"load{n:02d}"
        if accounts.get_user(store.engine, login) is None:
            accounts.add_user(store.engine, vocab, "bench/load.py", login, f"压测用户{n:02d}", "office", password=PASSWORD)
    problems = store.problems(Filters(statuses=tuple(MOVES)))
    pool = list(zip(problems["id"].astype(str), problems["status"]))
    random.Random(1).shuffle(pool)
    return [f"load{n:02d}" for n in range(1, users + 1)], pool


async def final_check(urls: list[str], store: Store, vocab, tally: Tally, since_events: set[int]) -> list[str]:
    """No update lost: every change is in the store, and every process shows the store's open count."""
    lines = []
    events = store.events()
    kept = events.set_index("id")
    missing = [(p, s, e) for p, s, e in tally.moves if e not in kept.index or kept.at[e, "to_status"] != s]
    ours = events[events["actor"].str.startswith("load", na=False) & ~events["id"].isin(since_events)]
    problems = store.problems(Filters()).set_index("id")
    # Each problem is moved once, and only by this run: its status now is the one it was moved to.
    wrong = [p for p, s, _ in tally.moves if problems.at[p, "status"] != s]
    lines.append(f"status changes made: {len(tally.moves)}; events of the load accounts in the store: {len(ours)}; "
                 f"missing: {len(missing)}; problems not in their new status: {len(wrong)}")
    if missing or wrong or len(ours) != len(tally.moves):
        tally.errors.append(f"lost updates: {len(missing)} events missing, {len(wrong)} problems not in their "
                            f"new status, {len(ours)} events for {len(tally.moves)} changes")
    unresolved = int(problems["status"].isin(vocab.unresolved_statuses).sum())
    shown = {}
    for url in urls:
        session = AppSession(url)
        run = await session.open("", "status=all")
        if run.sign_in:
            run = await session.sign_in("load01", PASSWORD)
        await session.close()
        shown[url] = run.metrics.get(OPEN_TILE, "?").replace(",", "")
    lines.append(f"open problems: store {unresolved:,}; " + "; ".join(f"{u} shows {v}" for u, v in shown.items()))
    if any(v != str(unresolved) for v in shown.values()):
        tally.errors.append(f"a process shows another open count than the store: {shown} vs {unresolved}")
    return lines


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def report(tally: Tally) -> list[str]:
    kinds: dict[str, list[float]] = {}
    for sample in tally.samples:
        kinds.setdefault(sample.kind, []).append(sample.seconds)
    users = [s.seconds for s in tally.samples if s.kind not in ("status change",)]
    rows = [("action", "count", "median s", "p95 s", "max s")]
    for kind, values in sorted(kinds.items()) + [("every user action", users)]:
        if values:
            rows.append((kind, str(len(values)), f"{statistics.median(values):.2f}", f"{percentile(values, 95):.2f}",
                         f"{max(values):.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
            for row in rows]


async def main_async(args) -> int:
    vocab = load_vocabulary(os.environ.get("CIVMAP_VOCAB_DIR") or Path(__file__).resolve().parent.parent
                            / "data" / "vocab")
    engine = make_engine(args.db, create=False)
    try:
        check_schema(engine, args.db)  # an older store: say so (and what to run), as the app does
    except StoreError as error:
        print(f"bench/load.py: {error.message('en')}", file=sys.stderr)
        return 2
    store = Store(engine)
    logins, pool = prepare(store, vocab, args.users)
    before = set(store.events()["id"])
    size = {"points": len(store.points()), "problems": len(store.problems())}
    env = {"CIVMAP_DATABASE_URL": args.db}
    print(f"civmap load: {args.users} users on {args.processes} processes for {args.minutes:g} min; "
          f"a status change every {args.change_every:g} s; store {args.db} "
          + ", ".join(f"{k} {v:,}" for k, v in size.items()), flush=True)
    tally, mem = Tally(), {}
    with contextlib.ExitStack() as stack:
        apps = [stack.enter_context(app_process(env, timeout=300)) for _ in range(args.processes)]
        names = {app.url: f"process {i + 1} (pid {app.pid})" for i, app in enumerate(apps)}
        warm = []
        for app in apps:  # the first visitor of each process, reported apart
            session = AppSession(app.url)
            run = await session.open()
            await session.close()
            warm.append(f"{names[app.url]}: first page {run.seconds:.1f} s")
        print("  started: " + "; ".join(warm), flush=True)
        start = time.monotonic()
        end = start + args.minutes * 60
        rng = random.Random(args.seed)
        jobs = [user(n, apps[(n - 1) % len(apps)].url, end, args.think, tally, random.Random(rng.random()))
                for n in range(1, args.users + 1)]
        jobs.append(changer(store, vocab, logins, pool, args.change_every, end, tally,
                            CaseRules(Path(args.photos_dir))))
        jobs.append(memory({names[a.url]: a.pid for a in apps}, start, min(300.0, args.minutes * 30), end, mem))
        await asyncio.gather(*jobs)
        elapsed = time.monotonic() - start
        checks = await final_check([a.url for a in apps], store, vocab, tally, before)
    print(f"\nran {elapsed / 60:.1f} min; response times (request to the page's last element):")
    print("\n".join("  " + line for line in report(tally)))
    print("resident memory (VmRSS):")
    mark = "minute 5" if args.minutes >= 10 else f"minute {args.minutes / 2:g}"
    for name, figures in mem.items():
        print(f"  {name}: {mark} {figures.get('mark', 0):.0f} MB, end {figures['end']:.0f} MB, "
              f"peak {figures['peak']:.0f} MB, change {figures['end'] - figures.get('mark', 0):+.0f} MB")
    print("updates:")
    print("\n".join("  " + line for line in checks))
    print(f"sign-in form shown {tally.sign_in_forms} times" + (" (each time the user signed in)"
                                                               if tally.sign_in_forms else ""))
    if tally.notices:
        print("findings the pages showed in red (not failures): " + " | ".join(sorted(tally.notices)))
    if tally.errors:
        print(f"FAILURES: {len(tally.errors)}")
        for line in tally.errors[:30]:
            print("  " + line)
        return 1
    print("failures: none")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("CIVMAP_DATABASE_URL"),
                        help="the store's URL (default: CIVMAP_DATABASE_URL); it is written to")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the users act (default 10)")
    parser.add_argument("--change-every", type=float, default=3.0, help="seconds between status changes")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds a user waits between actions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos-dir", default=str(Path(__file__).resolve().parent.parent / "var" / "load-photos"))
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("give --db or set CIVMAP_DATABASE_URL")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
