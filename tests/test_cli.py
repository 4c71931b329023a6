"""The `iom` entry point: it lists its commands quickly, without importing them."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time

from openiom.cli import COMMANDS

HEAVY = ("statsmodels", "pandas", "duckdb", "pyspark", "ibis", "sklearn", "django.db")


def test_listing_the_commands_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from openiom.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('heavy=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    elapsed = time.perf_counter() - started
    assert "Commands:" in done.stdout
    assert done.stdout.splitlines()[-1] == "heavy=", done.stdout.splitlines()[-1]
    # The interpreter's own start is part of this; the command's share must stay well under 1 s.
    assert elapsed < 1.5, f"iom --help took {elapsed:.2f} s"


def test_each_listed_help_is_the_commands_own() -> None:
    for name, (target, short_help) in COMMANDS.items():
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert command.get_short_help_str(limit=150) == short_help, name
