import shutil
from pathlib import Path

import pytest

from openiom.reference.datafiles import (
    ReferenceDataError,
    builtin_directory,
    builtin_reference,
    read_reference_directory,
)
from openiom.reference.models import ReferenceDataSet, UnitCost
from openiom.reference.services import reference_dataset_load


def test_builtin_data_is_valid_and_flags_unconfirmed_figures() -> None:
    data = builtin_reference()
    costs = data.unit_cost_by_category()
    assert costs["robbery"]["unit_cost_gbp"] == "11320" and costs["robbery"]["status"] == "CONFIRMED"
    # Marked UNCONFIRMED in the research note: the data must say so too.
    assert costs["domestic_burglary"]["status"] == "UNCONFIRMED"
    assert costs["theft_from_person"]["status"] == "UNCONFIRMED"
    nc = {c["category"] for c in data.categories if c["neighbourhood_crime"] == "true"}
    assert {"burglary_dwelling", "robbery", "vehicle_crime", "theft_from_person"} <= nc
    assert "shoplifting" not in nc


def copy_builtin(tmp_path: Path) -> Path:
    target = tmp_path / "ref"
    shutil.copytree(builtin_directory(), target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "unit_costs.csv",
            "robbery,Robbery,11320,2015/16,CONFIRMED",
            "robbery,Robbery,lots,2015/16,CONFIRMED",
            "unit_costs.csv row 6, field unit_cost_gbp: 'lots' is not a number",
        ),
        (
            "offences.csv",
            "028/01,Burglary in a dwelling,burglary_dwelling",
            "028/01,Burglary in a dwelling,burgling",
            "offences.csv row 12, field category: 'burgling' is not in the categories file",
        ),
        (
            "unit_costs.csv",
            "11320,2015/16,CONFIRMED",
            "11320,2015/16,OFFICIAL",
            "unit_costs.csv row 6, field status: 'OFFICIAL' must be CONFIRMED or UNCONFIRMED",
        ),
    ],
)
def test_malformed_files_name_file_row_and_field(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    directory = copy_builtin(tmp_path)
    path = directory / file
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ReferenceDataError) as error:
        read_reference_directory(directory)
    assert str(error.value) == message


@pytest.mark.django_db
def test_loading_is_idempotent_and_a_new_version_becomes_active(tmp_path: Path) -> None:
    first = reference_dataset_load(directory=builtin_directory())
    assert reference_dataset_load(directory=builtin_directory()).pk == first.pk
    directory = copy_builtin(tmp_path)
    manifest = directory / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace('version: "2026.1"', 'version: "2027.1"'))
    costs = directory / "unit_costs.csv"
    costs.write_text(
        costs.read_text().replace(
            "commercial_burglary,Commercial burglary,,", "commercial_burglary,Commercial burglary,2500,"
        )
    )
    second = reference_dataset_load(directory=directory)
    assert list(ReferenceDataSet.objects.filter(is_active=True)) == [second]
    assert UnitCost.objects.get(dataset=second, cost_category="commercial_burglary").unit_cost_gbp == 2500
    assert UnitCost.objects.get(dataset=first, cost_category="commercial_burglary").unit_cost_gbp is None


@pytest.mark.django_db
def test_same_version_with_different_content_is_refused(tmp_path: Path) -> None:
    reference_dataset_load(directory=builtin_directory())
    directory = copy_builtin(tmp_path)
    costs = directory / "unit_costs.csv"
    costs.write_text(costs.read_text().replace("11320", "11321"))
    with pytest.raises(ReferenceDataError, match="already loaded with different content"):
        reference_dataset_load(directory=directory)
