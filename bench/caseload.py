"""Caseload and case pages under 50 concurrent users, served by gunicorn against PostgreSQL.

    python -m bench.caseload [--users 50] [--requests-per-user 20] [--think 2.0]
                             [--database-url postgres://postgres@127.0.0.1:5432/openiom_bench_caseload]

Builds its own database (dropped first and at the end): a scheme of 500 managed cases with 50,000
contacts, reviews and referrals; each person has 10 offending events and each case 20 entries of
history, so the case page's timeline is 30 rows, as a case some months old would have. Each
simulated user has its own signed-in session and alternates pages with a think time between
requests. The baseline, measured in the same run by the same users,
is the minimal Django view `/health` (middleware, session and one `SELECT 1`). Target: p95 under
150 ms for both pages. Everything stays on loopback and the request count is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import write_result

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/openiom_bench_caseload"
TARGET_P95_MS = 150.0


def wsgi_app():  # type: ignore[no-untyped-def]
    """The WSGI app with every URL's view imported, so gunicorn --preload forks warm workers."""
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver

    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018 - imports every view module once, in the master
    return application


def build(cases: int, contacts: int, users: int) -> tuple[list[str], list[int]]:
    """The scheme, its people and cases; returns one session cookie per simulated user and the case ids."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from openiom.access.models import (
        Agency,
        AgencyKind,
        LegalBasis,
        Scheme,
        SchemeMembership,
        SchemePerson,
        SharingAgreement,
    )
    from openiom.accounts.roles import Role
    from openiom.cases.models import (
        Case,
        CaseEvent,
        CaseStatus,
        Contact,
        EventKind,
        Plan,
        Review,
        ServiceReferral,
    )
    from openiom.offending.models import EventType, OffendingEvent
    from openiom.people.models import Person
    from openiom.reference.datafiles import builtin_directory
    from openiom.reference.services import reference_dataset_load

    today = timezone.localdate()
    police = Agency.objects.create(
        code="BP", name="Bench Police", kind=AgencyKind.POLICE, source_systems=["BENCH"]
    )
    partner = Agency.objects.create(code="BR", name="Bench Recovery", kind=AgencyKind.PARTNER)
    scheme = Scheme.objects.create(code="BENCH", name="Bench IOM", region="Bench")
    scheme.agencies.set([police, partner])
    agreement = SharingAgreement.objects.create(
        scheme=scheme,
        title="Bench ISA",
        legal_basis=LegalBasis.CDA_S115,
        purposes="IOM",
        starts_on=today - timedelta(days=10),
        review_date=today + timedelta(days=300),
    )
    agreement.parties.set([police, partner])
    officer = get_user_model().objects.create_user(
        username="bench.officer", role=Role.POLICE_OFFICER, agency=police
    )
    SchemeMembership.objects.create(user=officer, scheme=scheme)
    people = Person.objects.bulk_create(
        Person(
            source_system="BENCH",
            source_id=f"B{n}",
            family_name=f"BENCH{n:04d}",
            given_names="Case",
            date_of_birth=date(1990, 1, 1),
            sex="M",
        )
        for n in range(cases)
    )
    SchemePerson.objects.bulk_create(SchemePerson(scheme=scheme, person=p, reason="bench") for p in people)
    rng = random.Random(5)
    created = Case.objects.bulk_create(
        Case(
            scheme=scheme,
            person=p,
            status=CaseStatus.ACTIVE,
            stream=rng.choice(["fixed", "flex", "free"]),
            lead_agency=police,
            police_worker=officer,
            start_date=today - timedelta(days=200),
            risk_level=rng.choice(["low", "medium", "high", "very_high"]),
            risk_review_date=today + timedelta(days=rng.randint(-30, 90)),
        )
        for p in people
    )
    Plan.objects.bulk_create(Plan(case=c) for c in created)
    reference_dataset_load(directory=builtin_directory())
    codes = ["028/01", "030/01", "046/01", "049/01", "105/01"]
    OffendingEvent.objects.bulk_create(
        OffendingEvent(
            source_system="BENCH",
            source_id=f"E{p.pk}-{n}",
            person=p,
            event_type=[EventType.CONVICTION, EventType.CAUTION, EventType.ARREST][n % 3],
            offence_date=today - timedelta(days=900 - 60 * n),
            outcome_date=today - timedelta(days=880 - 60 * n),
            offence_code=codes[n % len(codes)],
        )
        for p in people
        for n in range(10)
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(case=c, kind=rng.choice(list(EventKind)), text=f"Bench history entry {n}")
        for c in created
        for n in range(20)
    )
    Review.objects.bulk_create(
        Review(case=c, due_date=today + timedelta(days=rng.randint(-20, 40))) for c in created
    )
    ServiceReferral.objects.bulk_create(
        ServiceReferral(
            case=c,
            service="housing",
            pathway="accommodation",
            agency=partner,
            reason="bench",
            sent_on=today,
            status=rng.choice(["sent", "accepted", "started", "completed"]),
        )
        for c in created
    )
    batch = []
    for n in range(contacts):
        batch.append(
            Contact(
                case=created[n % cases],
                contact_type="home_visit",
                agency=police,
                on=today - timedelta(days=rng.randint(0, 700)),
                outcome=rng.choice(["attended", "missed"]),
            )
        )
        if len(batch) == 5000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create(batch)
    cookies = []
    for _ in range(users):
        client = Client()
        client.force_login(officer)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    return cookies, [c.pk for c in created]


def run_user(
    port: int,
    cookie: str,
    paths: list[str],
    think: float,
    out: dict[str, list[float]],
    lock: threading.Lock,
    errors: list[str],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        time.sleep(random.uniform(0, 2 * think))
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        kind = (
            "health"
            if path == "/health"
            else "caseload"
            if path.startswith("/cases/?") or path == "/cases/"
            else "case"
        )
        with lock:
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
            out[kind].append(elapsed)
    conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("OPENIOM_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests-per-user", type=int, default=30)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a user's requests")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    import psycopg

    base, name = args.database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"building {args.cases} cases and {args.contacts:,} contacts…")
    cookies, case_ids = build(args.cases, args.contacts, args.users)
    # A live database has planner statistics (autovacuum gathers them); a freshly loaded one has
    # none until autovacuum next runs, so gather them now rather than measure a cold planner.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    src = Path(__file__).resolve().parents[1] / "src"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.caseload:wsgi_app()",
            "--preload",
            "--timeout",
            "120",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONPATH": f"{src}:{src.parent}", "OPENIOM_DB_CONN_MAX_AGE": "600"},
    )
    try:
        for _ in range(600):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                probe.request("GET", "/health")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start")
        rng = random.Random(11)
        sorts = ["/cases/", "/cases/?sort=risk", "/cases/?attention=1", "/cases/?sort=review&page=2"]
        plans = [
            [
                ["/health", rng.choice(sorts), f"/cases/{rng.choice(case_ids)}/"][n % 3]
                for n in range(args.requests_per_user)
            ]
            for _ in cookies
        ]
        # Warm every worker (imports, connections) before measuring.
        warm: dict[str, list[float]] = {"health": [], "caseload": [], "case": []}
        lock, errors = threading.Lock(), []
        warmers = [
            threading.Thread(target=run_user, args=(args.port, c, p[:3], 0.0, warm, lock, errors))
            for c, p in zip(cookies[:10], plans, strict=False)
        ]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        times: dict[str, list[float]] = {"health": [], "caseload": [], "case": []}
        threads = [
            threading.Thread(target=run_user, args=(args.port, c, p, args.think, times, lock, errors))
            for c, p in zip(cookies, plans, strict=True)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    summary = {
        kind: {
            "requests": len(v),
            "p50_ms": round(statistics.median(v), 1),
            "p95_ms": round(percentile(v, 95), 1),
        }
        for kind, v in times.items()
    }
    base_p50, base_p95 = summary["health"]["p50_ms"], summary["health"]["p95_ms"]
    for kind in ("caseload", "case"):
        summary[kind]["p50_ratio_to_minimal_view"] = round(summary[kind]["p50_ms"] / base_p50, 2)
        summary[kind]["p95_ratio_to_minimal_view"] = round(summary[kind]["p95_ms"] / base_p95, 2)
        summary[kind]["meets_p95_target"] = summary[kind]["p95_ms"] < TARGET_P95_MS
    for kind, row in summary.items():
        print(
            f"{kind:9} n={row['requests']:5}  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
            + (
                f"  ×{row['p50_ratio_to_minimal_view']} / ×{row['p95_ratio_to_minimal_view']} of /health"
                f"  target p95<{TARGET_P95_MS:.0f} ms: {'met' if row['meets_p95_target'] else 'MISSED'}"
                if kind != "health"
                else "  (baseline: minimal Django view)"
            )
        )
    write_result(
        "caseload",
        {
            "cases": args.cases,
            "contacts": args.contacts,
            "users": args.users,
            "think_seconds": args.think,
            "gunicorn_workers": args.workers,
            "wall_seconds": round(wall, 1),
            "throughput_rps": round(sum(len(v) for v in times.values()) / wall, 1),
            "pages": summary,
        },
    )
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
