"""`iom synth --sources 3`, then `iom import people` source by source: the import links each new source
to the people already known, and precision and recall hold in the application database."""

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from openiom.cli import main
from openiom.identity import selectors
from openiom.identity.models import MatchCandidate
from openiom.imports.services import people_import
from openiom.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_synth_sources_import_and_link(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", "--people", "600", "--seed", "5", "--out", str(tmp_path), "--sources", "3"]
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sources"
    for source in ("POLICE", "PROBATION", "PARTNER"):
        imported = people_import(path=folder / f"people_{source}.parquet")
        assert imported.ok, imported.errors[:3]
    assert imported.linkage is not None and imported.linkage.run is not None
    truth = pd.read_parquet(folder / "truth.parquet")
    ids = dict(((s, i), pk) for s, i, pk in Person.objects.values_list("source_system", "source_id", "id"))
    truth["record"] = [ids[(s, i)] for s, i in zip(truth["source_system"], truth["source_id"], strict=True)]
    canonical = selectors.canonical_ids(truth["record"])
    truth["linked"] = truth["record"].map(canonical)
    # Precision: no linked person mixes two true people.
    assert (truth.groupby("linked")["person"].nunique() == 1).mean() >= 0.995
    # Recall counting the review queue: true people split across persons are nearly all queued.
    split = truth.groupby("person")["linked"].nunique()
    queued = {(c.left_id, c.right_id) for c in MatchCandidate.objects.all()}
    assert (split == 1).mean() + len(queued) / len(split) >= 0.97
    assert Person.objects.count() == len(truth)
