"""Load-test the production setup (`make serve`: gunicorn + WhiteNoise, DEBUG off) with concurrent staff clients.

What it measures, over plain HTTP on 127.0.0.1 against 100,000 demo customers (--rows):

* CLIENTS concurrent clients (threads, each a requests.Session logged in through /accounts/login/
  as the bench superuser "loadbench") run for SECONDS seconds, each picking operations at random:
  40% list pages (random page, sometimes sorted, sometimes 50/100 per page), 20% searches (phone fragment,
  phone as typed, first name, full name), 15% create a customer (GET the form, POST it), 15% edit a customer
  the client created (find it by search, GET the form, POST it with a new city), 10% points adjustments
  (GET the Adjust Points tab, POST +N with a reason unique to the run; one in five tries -N, which the
  server may refuse with the form, answering 200, instead of 302). Half of the adjustments hit a small
  "hot" set of customers so that concurrent bookings on one customer really contend;
* requests per second, p50/p95 latency overall and per kind of request, the count of 5xx answers,
  of requests that got no answer, and of other unexpected answers;
* lost writes, checked in the database after the run (ORM): every customer a client was told it created
  (302) exists exactly once, every edit it was told succeeded left the city it set, and the PointsEntry
  rows carrying this run's reasons are exactly the adjustments the clients were told succeeded;
* `manage.py verify_points`: every stored balance equals the sum of its ledger (0 mismatches).

Targets: zero 5xx answers, zero lost writes, zero balance mismatches ("PASS" or "TARGET MISSED" lines).

The server is started as `make serve PORT=<free port>` (same environment: DEBUG=0, SECRET_KEY from
.secret-key, SSL redirect/secure cookies/HSTS off for plain http, WORKERS=3 unless set) in its own process
group with DATABASE_URL pointing at the bench database, and always stopped at the end. Before that the
database is migrated and seeded with `seed_demo --customers 100000 --seed 1` when it has fewer customers.
The clients send the CSRF token from their csrftoken cookie, and post the fields they choose themselves
(an edit re-posts what the client created, with the user name and membership number the server gave).
Customers created by earlier runs stay (the database grows a little with every run).

Run it from the project root:

    .venv/bin/python bench/load_bench.py                  # SQLite: bench/bench.sqlite3 (git-ignored)
    .venv/bin/python bench/load_bench.py --database-url postgres://o2vend:o2vend@127.0.0.1:5432/o2vend_bench
    .venv/bin/python bench/load_bench.py --seconds 30 --clients 4
    .venv/bin/python bench/load_bench.py --smoke          # 1,000 customers, 2 clients for 5 s, own database

The PostgreSQL database must exist (e.g. `createdb o2vend_bench`); only local databases are accepted.
The server's log (gunicorn access log) is kept in a temporary file whose path is printed. The exit status
is 0 unless the bench crashed (or no client could log in).
"""

import contextlib
import html
import io
import itertools
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from common import (
    client_bench_args,
    database_url,
    load_note,
    percentile,
    run_server_bench,
    seed_customers,
    seeded_line,
    setup_django,
    verdict,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LOCAL_DB_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
USERNAME = "loadbench"
LIST_URL = "/parties/customers/"
LOGIN_URL = "/accounts/login/"
REQUEST_TIMEOUT_S = 30
SERVER_START_TIMEOUT_S = 180
SERVER_STOP_TIMEOUT_S = 40
HOT_CUSTOMERS = 10

# Operation mix (weights in percent).
MIX = (("list", 40), ("search", 20), ("create", 15), ("edit", 15), ("adjust", 10))
NEGATIVE_ADJUSTMENT_SHARE = 0.2
SORTS = ("full_name", "-full_name", "points_balance", "-points_balance", "created_on", "phone_number")
FIRST_NAMES = ("Aarav", "Divya", "Karthik", "Meera", "Rahul", "Saranya", "Vikram", "Zoya", "Joseph", "Harpreet")
LAST_NAMES = ("Iyer", "Sharma", "Nair", "Reddy", "Khan", "Das", "Patel", "Singh", "Menon", "Fernandes")
CITIES = (
    ("Chennai", "Tamil Nadu", "600"),
    ("Mumbai", "Maharashtra", "400"),
    ("Bengaluru", "Karnataka", "560"),
    ("Kolkata", "West Bengal", "700"),
    ("Jaipur", "Rajasthan", "302"),
    ("Kochi", "Kerala", "682"),
)
# Kinds of request, in the order the report lists them.
KINDS = (
    "list",
    "search",
    "create: form",
    "create: post",
    "edit: find",
    "edit: form",
    "edit: post",
    "adjust: form",
    "adjust: post",
)


# --------------------------------------------------------------------------------------------------------------
# The HTTP side: requests, no Django.


class Transport(Exception):
    """A request that got no HTTP answer (refused, reset, timed out)."""


class Browser:
    """One staff member's browser: a requests.Session (its cookies); redirects are not followed."""

    def __init__(self, port: int):
        self.base = f"http://{HOST}:{port}"
        self.session = requests.Session()
        self.session.headers.update({"Accept": "text/html", "User-Agent": "o2vend-load-bench"})

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> tuple[requests.Response, float]:
        """Send one request; return the answer and its latency in ms, or raise Transport.

        A POST carries the CSRF token of the csrftoken cookie, as Django's own JavaScript sends it.
        """
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", "")} if method == "POST" else {}
        started = time.perf_counter()
        try:
            answer = self.session.request(
                method, self.base + path, data=fields, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT_S
            )
        except requests.RequestException as error:
            raise Transport(f"{type(error).__name__}: {error}") from None
        return answer, (time.perf_counter() - started) * 1000


def input_value(page: str, name: str) -> str | None:
    """Return the value of the page's <input name="..."> (None when there is no such input)."""
    tag = re.search(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def page_errors(page: str) -> str:
    """Return the error texts a form page shows, for reporting a refusal."""
    found = re.findall(r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>(.*?)</div>', page, re.S)
    texts = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for text in found]
    return " | ".join(text for text in texts if text)[:300] or "(no error text found)"


@dataclass
class Plan:
    """What the clients need to know, prepared (with the ORM) before the run."""

    port: int
    password: str
    run_id: str
    deadline: float
    customer_ids: list[int]
    hot_ids: list[int]
    search_terms: list[str]
    last_page: dict[int, int]
    sequence: itertools.count = field(default_factory=lambda: itertools.count(1))


@dataclass
class Created:
    token: str
    name: str
    fields: dict[str, str]  # what the create form was posted with
    pk: int | None = None
    city: str = ""


@dataclass(eq=False)
class Client:
    """One concurrent client: its browser, the timings it measured and the writes it was told succeeded."""

    number: int
    plan: Plan
    browser: Browser = field(init=False)
    rng: random.Random = field(init=False)
    timings: list[tuple[str, int | str, float]] = field(default_factory=list)
    operations: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    attempted_names: list[str] = field(default_factory=list)
    created: list[Created] = field(default_factory=list)
    edits_ok: int = 0
    adjustments_ok: list[str] = field(default_factory=list)
    adjustments_refused: int = 0

    def __post_init__(self):
        self.browser = Browser(self.plan.port)
        self.rng = random.Random(f"{self.plan.run_id}-{self.number}")

    # -- plumbing

    def call(self, kind: str, method: str, path: str, fields=None) -> requests.Response | None:
        """Send a request and record its timing; None when it got no answer."""
        try:
            answer, ms = self.browser.request(method, path, fields)
        except Transport as error:
            self.timings.append((kind, "no answer", 0.0))
            self.problem(f"{kind}: {method} {path}: no answer ({error})")
            return None
        self.timings.append((kind, answer.status_code, ms))
        if answer.status_code >= 500:
            self.problem(f"{kind}: {method} {path}: {answer.status_code}")
        return answer

    def problem(self, text: str) -> None:
        self.operations["problems"] += 1
        if len(self.problems) < 20:
            self.problems.append(text)

    def expect_page(self, kind: str, path: str) -> str | None:
        """GET a page; return its HTML, or None (and a problem) when it is not a 200."""
        answer = self.call(kind, "GET", path)
        if answer is None or answer.status_code >= 500:
            return None
        if answer.status_code != 200:
            self.problem(f"{kind}: GET {path}: unexpected {answer.status_code} {location(answer)}")
            return None
        return answer.text

    def login(self) -> bool:
        """Log in once, correctly (django-axes locks a user name after 5 failures)."""
        try:
            self.browser.request("GET", LOGIN_URL)  # sets the csrftoken cookie
            fields = {"username": USERNAME, "password": self.plan.password, "next": ""}
            answer, _ = self.browser.request("POST", LOGIN_URL, fields)
        except Transport as error:
            self.problems.append(f"login: no answer ({error})")
            return False
        if answer.status_code != 302 or "sessionid" not in self.browser.session.cookies:
            self.problems.append(f"login: {answer.status_code} {page_errors(answer.text)}")
            return False
        return True

    # -- the operations

    def run(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        try:
            while time.monotonic() < self.plan.deadline:
                operation = self.rng.choices(kinds, weights)[0]
                if operation == "edit" and not self.created:
                    operation = "create"
                self.operations[operation] += 1
                getattr(self, f"do_{operation}")()
        except Exception:  # a bug in the bench itself: keep the traceback, stop this client
            self.problem("client crashed:\n" + traceback.format_exc())

    def do_list(self) -> None:
        params = {}
        size = self.rng.choice((25, 25, 25, 50, 100))
        if size != 25:
            params["page_size"] = size
        if self.rng.random() < 0.3:
            params["o"] = self.rng.choice(SORTS)
        params["page"] = self.rng.randint(1, self.plan.last_page[size])
        self.expect_page("list", f"{LIST_URL}?{urlencode(params)}")

    def do_search(self) -> None:
        self.expect_page("search", f"{LIST_URL}?{urlencode({'q': self.rng.choice(self.plan.search_terms)})}")

    def do_create(self) -> None:
        page = self.expect_page("create: form", f"{LIST_URL}add/")
        if page is None:
            return
        if input_value(page, "full_name") is None:
            self.problem("create: form: no customer form on the page")
            return
        number = next(self.plan.sequence)
        # Fixed width, so that no token is a prefix of another (the edit finds the customer by searching for it).
        token = f"LB{self.plan.run_id}-{number:06d}"
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)} {token}"
        city, state, pin = self.rng.choice(CITIES)
        # A mobile number unique within the run: 98 + two digits of the run + a six-digit sequence.
        phone = f"+9198{int(self.plan.run_id, 16) % 100:02d}{number % 1_000_000:06d}"
        # The fields a person fills in; the others are left blank (the user name is made from the name).
        fields = {
            "full_name": name,
            "username": "",
            "phone_number": phone,
            "country": "IN",
            "state_or_province": state,
            "city": city,
            "postal_code": f"{pin}{self.rng.randrange(1000):03d}",
            "timezone": "Asia/Kolkata",
            "supply_type": "B2C",
            "balances-TOTAL_FORMS": "0",  # no opening balances
            "balances-INITIAL_FORMS": "0",
        }
        self.attempted_names.append(name)
        answer = self.call("create: post", "POST", f"{LIST_URL}add/", fields)
        if answer is None or answer.status_code >= 500:
            return
        if answer.status_code == 302 and urlsplit(location(answer)).path == LIST_URL:
            self.created.append(Created(token=token, name=name, fields=fields, city=city))
        else:
            self.problem(f"create: post {name!r}: {answer.status_code} {location(answer)} {page_errors(answer.text)}")

    def do_edit(self) -> None:
        customer = self.rng.choice(self.created)
        if customer.pk is None:
            page = self.expect_page("edit: find", f"{LIST_URL}?{urlencode({'q': customer.token})}")
            if page is None:
                return
            found = set(re.findall(r"/parties/customers/(\d+)/edit/", page))
            if len(found) != 1:
                self.problem(f"edit: find {customer.name!r}: {len(found)} rows found (want 1)")
                return
            customer.pk = int(found.pop())
        url = f"{LIST_URL}{customer.pk}/edit/"
        page = self.expect_page("edit: form", url)
        if page is None:
            return
        # What the server filled in on create (the user name, the membership number) is posted back as shown.
        given = {name: input_value(page, name) for name in ("username", "membership_number")}
        if None in given.values():
            self.problem(f"edit: form {url}: no customer form on the page")
            return
        city = f"{self.rng.choice(CITIES)[0]} Ward {next(self.plan.sequence)}"
        fields = {**customer.fields, **given, "is_active": "on", "city": city}
        answer = self.call("edit: post", "POST", url, fields)
        if answer is None or answer.status_code >= 500:
            return
        if answer.status_code == 302 and urlsplit(location(answer)).path == LIST_URL:
            customer.city = city
            self.edits_ok += 1
        else:
            self.problem(f"edit: post {url}: {answer.status_code} {location(answer)} {page_errors(answer.text)}")

    def do_adjust(self) -> None:
        pool = self.plan.hot_ids if self.rng.random() < 0.5 else self.plan.customer_ids
        pk = self.rng.choice(pool)
        url = f"{LIST_URL}{pk}/points/"
        page = self.expect_page("adjust: form", f"{url}?tab=adjust")
        if page is None:
            return
        negative = self.rng.random() < NEGATIVE_ADJUSTMENT_SHARE
        points = -self.rng.randint(1, 2000) if negative else self.rng.randint(1, 500)
        reason = f"load bench {self.plan.run_id} c{self.number} #{next(self.plan.sequence)}"
        answer = self.call("adjust: post", "POST", url, {"points": str(points), "reason": reason})
        if answer is None or answer.status_code >= 500:
            return
        if answer.status_code == 302 and urlsplit(location(answer)).path == url:
            self.adjustments_ok.append(reason)
        elif answer.status_code == 200 and negative and "Cannot take away" in answer.text:
            self.adjustments_refused += 1
        else:
            self.problem(
                f"adjust: post {url} {points:+d}: {answer.status_code} {location(answer)} {page_errors(answer.text)}"
            )


def location(answer: requests.Response) -> str:
    return answer.headers.get("Location", "")


# --------------------------------------------------------------------------------------------------------------
# The Django side: setup and final checks only.


def prepare_database(customers: int) -> None:
    """Migrate, then seed the demo customers when there are fewer than `customers`."""
    from django.db import connection

    print(seeded_line(connection.settings_dict["NAME"], seed_customers(customers)))


def prepare_user() -> str:
    """Create (or reset) the bench superuser with a fresh password and clear any axes lockout; return it."""
    from axes.utils import reset
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(16)
    users = get_user_model()
    user = users.objects.filter(username=USERNAME).first()
    if user is None:
        users.objects.create_superuser(USERNAME, "loadbench@example.in", password)
    else:
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
    reset(username=USERNAME)
    return password


def prepare_plan(port: int, password: str, run_id: str) -> tuple[Plan, dict]:
    """Return the clients' plan (ids, search terms, page counts) and the database's starting figures."""
    import phonenumbers

    from customers.models import Customer
    from loyalty.models import PointsEntry

    rng = random.Random(run_id)
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    active = Customer.objects.filter(is_active=True).count()
    sample = Customer.objects.filter(pk__in=rng.sample(ids, min(300, len(ids)))).values_list(
        "full_name", "phone_number"
    )
    terms = []
    for full_name, phone in sample:
        digits = str(phonenumbers.parse(str(phone)).national_number) if phone else ""
        terms += [full_name, full_name.split()[0]]
        if digits:
            terms += [digits[-5:], f"{digits[:5]} {digits[5:]}"]
    plan = Plan(
        port=port,
        password=password,
        run_id=run_id,
        deadline=0.0,
        customer_ids=ids,
        hot_ids=rng.sample(ids, HOT_CUSTOMERS),
        search_terms=terms,
        last_page={size: max(1, math.ceil(active / size)) for size in (25, 50, 100)},
    )
    return plan, {"customers": len(ids), "entries": PointsEntry.objects.count()}


def check_writes(clients: list[Client], run_id: str) -> dict:
    """Compare what the clients were told succeeded with what the database holds."""
    from customers.models import Customer
    from loyalty.models import PointsEntry

    told = [c for client in clients for c in client.created]
    attempted = {name for client in clients for name in client.attempted_names}
    in_db = Counter(Customer.objects.filter(full_name__contains=f" LB{run_id}-").values_list("full_name", flat=True))
    # Every customer a client created must hold the city it was last told was saved (on create or edit).
    edited = {c.name: c.city for c in told}
    cities = dict(Customer.objects.filter(full_name__in=list(edited)).values_list("full_name", "city"))
    reasons = [reason for client in clients for reason in client.adjustments_ok]
    stored = Counter(
        PointsEntry.objects.filter(reason__startswith=f"load bench {run_id} ").values_list("reason", flat=True)
    )
    result = {
        "created_told": len(told),
        "created_missing": [c.name for c in told if in_db[c.name] == 0],
        "created_duplicated": sorted(name for name, n in in_db.items() if n > 1),
        "created_untold": sorted(set(in_db) - {c.name for c in told}),
        "created_unknown": sorted(set(in_db) - attempted),  # not even attempted: should never happen
        "edits_told": sum(client.edits_ok for client in clients),
        "edits_lost": [(name, city, cities.get(name)) for name, city in edited.items() if cities.get(name) != city],
        "adjust_told": len(reasons),
        "adjust_rows": sum(stored.values()),
        "adjust_missing": sorted(set(reasons) - set(stored)),
        "adjust_duplicated": sorted(reason for reason, n in stored.items() if n > 1),
        "adjust_untold": sorted(set(stored) - set(reasons)),
    }
    result["edits_checked"] = len(edited)
    return result


def verify_points() -> tuple[int, str]:
    """Run `manage.py verify_points`; return the number of mismatches and its output."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(SystemExit):  # the command exits 1 on any mismatch
        call_command("verify_points", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    return sum(1 for line in text.splitlines() if line.startswith("MISMATCH")), text


# --------------------------------------------------------------------------------------------------------------
# The server.


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, log) -> subprocess.Popen:
    """Start `make serve` in its own process group (a new session), with DATABASE_URL set."""
    env = dict(os.environ, DATABASE_URL=database_url)
    # `make serve` runs ensure_superuser for "admin": with a password in the environment it does not generate one
    # and overwrite the developer's .admin-password file (which belongs to their own database, not this one).
    env["DJANGO_SUPERUSER_PASSWORD"] = secrets.token_urlsafe(16)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"HOST={HOST}", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_ready(server: subprocess.Popen, port: int) -> None:
    """Wait until the login page answers 200; raise when the server exits or takes too long."""
    probe = Browser(port)
    started = time.monotonic()
    while time.monotonic() - started < SERVER_START_TIMEOUT_S:
        if server.poll() is not None:
            raise RuntimeError(f"`make serve` exited with status {server.returncode} before answering")
        with contextlib.suppress(Transport):
            answer, _ = probe.request("GET", LOGIN_URL)
            if answer.status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer {LOGIN_URL} with 200 within {SERVER_START_TIMEOUT_S} s")


def stop_server(server: subprocess.Popen | None) -> None:
    """Stop the whole process group (make, gunicorn master and workers): TERM, then KILL if it lingers."""
    if server is None:
        return
    for sig, grace in ((signal.SIGTERM, SERVER_STOP_TIMEOUT_S), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            server.poll()
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            server.poll()  # reap make, so that it does not linger as a zombie of the group
            if not group_alive(server.pid):
                return
            time.sleep(0.2)
    print(f"WARNING: server process group {server.pid} still has live processes")


def group_alive(pgid: int) -> bool:
    """Return True while a process of the group is alive (zombies, which init may reap late, do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def server_log_lines(path: str, pattern: str, limit: int = 30) -> list[str]:
    """Return the server log's lines matching `pattern` (access-log 5xx lines, tracebacks...)."""
    text = Path(path).read_text(errors="replace")
    return [line for line in text.splitlines() if re.search(pattern, line)][:limit]


# --------------------------------------------------------------------------------------------------------------
# Report.


def print_timings(clients: list[Client], elapsed: float) -> tuple[int, int, int]:
    """Print the per-kind table; return (requests, 5xx answers, requests without an answer)."""
    timings = [t for client in clients for t in client.timings]
    by_kind = defaultdict(list)
    for kind, status, ms in timings:
        by_kind[kind].append((status, ms))
    print(f"{'kind':<13} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'5xx':>5} {'none':>5}")
    print("-" * 71)
    rows = [(kind, by_kind[kind]) for kind in KINDS if by_kind[kind]] + [("all", [(s, ms) for _, s, ms in timings])]
    for kind, items in rows:
        answered = [ms for status, ms in items if isinstance(status, int)] or [0.0]
        errors = sum(1 for status, _ in items if isinstance(status, int) and status >= 500)
        silent = sum(1 for status, _ in items if not isinstance(status, int))
        if kind == "all":
            print("-" * 71)
        print(
            f"{kind:<13} {len(items):>8} {len(items) / elapsed:>7.1f} {percentile(answered, 0.5):>8.1f} "
            f"{percentile(answered, 0.95):>8.1f} {max(answered):>8.1f} {errors:>5} {silent:>5}"
        )
    statuses = Counter(status for _, status, _ in timings)
    print("Answers by status: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str)))
    errors = sum(n for status, n in statuses.items() if isinstance(status, int) and status >= 500)
    return len(timings), errors, sum(n for status, n in statuses.items() if not isinstance(status, int))


def print_writes(clients: list[Client], writes: dict) -> int:
    """Print the lost-write check; return the number of lost writes."""
    operations = Counter()
    for client in clients:
        operations.update(client.operations)
    refused = sum(client.adjustments_refused for client in clients)
    print(
        "Operations: "
        + ", ".join(f"{kind} {operations[kind]}" for kind, _ in MIX)
        + f"; adjustments refused (negative, over the balance): {refused}"
    )
    lost = len(writes["created_missing"]) + len(writes["edits_lost"]) + len(writes["adjust_missing"])
    print(
        f"Customers created (told 302): {writes['created_told']}, missing: {len(writes['created_missing'])}, "
        f"duplicated: {len(writes['created_duplicated'])}, in the database but not told: "
        f"{len(writes['created_untold'])}"
    )
    print(
        f"Edits (told 302): {writes['edits_told']}; created customers whose city was checked: "
        f"{writes['edits_checked']}, city lost: {len(writes['edits_lost'])}"
    )
    print(
        f"Adjustments (told 302): {writes['adjust_told']}, PointsEntry rows with this run's reasons: "
        f"{writes['adjust_rows']}, missing: {len(writes['adjust_missing'])}, duplicated: "
        f"{len(writes['adjust_duplicated'])}, not told: {len(writes['adjust_untold'])}"
    )
    for label in (
        "created_missing",
        "created_duplicated",
        "created_untold",
        "created_unknown",
        "edits_lost",
        "adjust_missing",
        "adjust_duplicated",
        "adjust_untold",
    ):
        for item in writes[label][:5]:
            print(f"  {label}: {item}")
    return lost


def run(args) -> None:
    url = args.database_url or database_url(args.db)
    parts = urlsplit(url)
    if not parts.scheme.startswith("sqlite") and (parts.hostname or "") not in LOCAL_DB_HOSTS:
        raise RuntimeError(f"only local databases are used; refusing {parts.hostname!r}")
    # Not the production defaults: the server gets this process's environment, and `make serve` sets its own.
    setup_django(url, production=False)
    from django.conf import settings
    from django.db import connections

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    prepare_database(args.rows)
    password = prepare_user()
    run_id = secrets.token_hex(4)
    port = free_port()
    plan, before = prepare_plan(port, password, run_id)
    connections.close_all()

    log = tempfile.NamedTemporaryFile(prefix="load_bench_server_", suffix=".log", delete=False)  # noqa: SIM115
    workers = os.environ.get("WORKERS", "3")
    name = settings.DATABASES["default"]["NAME"]
    print(
        f"Database: {engine} {name if engine == 'sqlite3' else f'{parts.hostname}:{parts.port or 5432}/{name}'}, "
        f"{before['customers']:,} customers, {before['entries']:,} points entries"
    )
    print(
        f"Server: make serve (gunicorn, {workers} workers, DEBUG off) on http://{HOST}:{port}/, log {log.name}; "
        f"run id {run_id}"
    )
    server = None
    try:
        server = start_server(url, port, log)
        wait_until_ready(server, port)
        clients = [Client(number, plan) for number in range(1, args.clients + 1)]
        # Log in concurrently (each login hashes the password, which takes a while), then start the clock.
        results = {}
        logins = [
            threading.Thread(target=lambda c=client: results.__setitem__(c.number, c.login()), daemon=True)
            for client in clients
        ]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        logged_in = [client for client in clients if results.get(client.number)]
        for client in clients:
            if client not in logged_in:
                print(f"Client {client.number} could not log in: {client.problems}")
        if not logged_in:
            raise RuntimeError("no client could log in, nothing was measured")
        print(f"Load: {len(logged_in)} clients for {args.seconds} s ...", flush=True)
        load_before = load_note()
        started = time.monotonic()
        plan.deadline = started + args.seconds
        threads = [
            threading.Thread(target=client.run, name=f"client-{client.number}", daemon=True) for client in logged_in
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        stop_server(server)
        log.close()

    print(f"Ran {elapsed:.1f} s (new operations stop at {args.seconds} s)")
    print(f"Machine before: {load_before}\nMachine after: {load_note()}\n")
    request_count, errors, silent = print_timings(clients, elapsed)
    print(f"\nRequests per second: {request_count / elapsed:.1f} ({request_count} requests in {elapsed:.1f} s)")
    problems = [text for client in clients for text in client.problems]
    problem_count = sum(client.operations["problems"] for client in clients)
    print(f"Problems seen by the clients: {problem_count}")
    for text in problems[:15]:
        print(f"  {text}")
    if errors:
        print("Server log lines with 5xx answers or errors:")
        for line in server_log_lines(log.name, r'" 5\d\d |Traceback|Error|error'):
            print(f"  {line}")

    print()
    writes = check_writes(clients, run_id)
    lost = print_writes(clients, writes)
    mismatches, output = verify_points()
    print(f"verify_points: {output.strip().splitlines()[-1] if output.strip() else '(no output)'}")
    for line in output.splitlines()[:10]:
        if line.startswith("MISMATCH"):
            print(f"  {line}")

    extra = (
        len(writes["created_duplicated"])
        + len(writes["created_untold"])
        + len(writes["adjust_duplicated"])
        + len(writes["adjust_untold"])
    )
    print()
    unexpected = problem_count - errors - silent
    for count, what in (
        (errors, "5xx answers"),
        (lost, "lost writes"),
        (mismatches, "balance mismatches"),
        (extra, "duplicated or untold writes"),
        (silent, "requests without an answer"),
        (unexpected, "other unexpected answers"),
    ):
        print(f"{verdict(not count)}: {count} {what} (target 0)")


def main() -> None:
    args = client_bench_args(__doc__.split("\n\n")[0], name="load", seconds=60, smoke_seconds=5)
    run_server_bench(lambda: run(args), smoke_databases=[args.db])


if __name__ == "__main__":
    main()
