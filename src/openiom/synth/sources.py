"""The same synthetic people as two or three agencies record them, with the errors agencies make.

Police (everyone, with a PNC ID and a local ID), probation (the people under supervision, with a CRN
and usually the PNC ID) and a partner agency (a sample of people, rarely with any identifier). Each
source copies the person with its own errors: typing slips in names, nicknames for given names, day
and month of birth swapped, identifiers missing or mistyped (a mistyped PNC ID still passes its
check character, as one typed into a checking system must), a different address from the person's history (postcodes_<SOURCE>, beside the people
file, since the import format has no address). `truth.<fmt>` maps every source record to
the true person, so linkage can be measured against it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from openiom.identity.nicknames import GROUPS
from openiom.people.identifiers import pnc_check_character
from openiom.synth.generate import DEFAULT_AS_OF, synthesise

SOURCES = ("POLICE", "PROBATION", "PARTNER")


@dataclass(frozen=True)
class ErrorRates:
    family_name_typo: float = 0.03
    given_name_nickname: float = 0.08
    given_name_typo: float = 0.02
    dob_transposed: float = 0.02
    dob_typo: float = 0.01
    pnc_missing: float = 0.15
    pnc_mistyped: float = 0.01
    crn_missing: float = 0.03
    moved_address: float = 0.35
    # Share of people each source holds after police (who hold everyone).
    probation_share: float = 0.6
    partner_share: float = 0.3


@dataclass(frozen=True)
class SourcesResult:
    paths: dict[str, Path]
    truth_path: Path
    records: int
    people: int


_VARIANTS = {
    name.capitalize(): [v.capitalize() for v in group if v != name] for group in GROUPS for name in group
}


def _typo(values: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One letter dropped, doubled or swapped with its neighbour."""
    out = values.copy()
    for i in np.flatnonzero(mask):
        text = out[i]
        if len(text) < 4:
            continue
        k = int(rng.integers(1, len(text) - 1))
        kind = rng.integers(0, 3)
        if kind == 0:
            out[i] = text[:k] + text[k + 1 :]
        elif kind == 1:
            out[i] = text[:k] + text[k] + text[k:]
        else:
            out[i] = text[: k - 1] + text[k] + text[k - 1] + text[k + 1 :]
    return out


def _nickname(given: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = given.copy()
    for i in np.flatnonzero(mask):
        first, _, rest = out[i].partition(" ")
        variants = _VARIANTS.get(first)
        if variants:
            out[i] = (variants[int(rng.integers(0, len(variants)))] + (" " + rest if rest else "")).strip()
    return out


def _postcodes(n: int, rng: np.random.Generator) -> np.ndarray:
    # "ZZ" areas do not exist in the real postcode system, so no synthetic address is anyone's.
    district = rng.integers(1, 40, n)
    sector = rng.integers(0, 10, n)
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    unit = letters[rng.integers(0, 20, n)].astype(object) + letters[rng.integers(0, 20, n)].astype(object)
    return np.array([f"ZZ{d} {s}{u}" for d, s, u in zip(district, sector, unit, strict=True)], dtype=object)


def _blank(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[mask] = None
    return out


def _bad_pnc(pnc: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A digit of the serial changed, with a check character that fits: a source system checks the
    character when the ID is typed, so the wrong IDs that reach an extract are the ones that pass
    (and an import refuses a file with an ID that does not)."""
    out = pnc.copy()
    for i in np.flatnonzero(mask):
        value = out[i]
        if not isinstance(value, str) or len(value) < 8:
            continue
        k = 5 + int(rng.integers(0, len(value) - 6))
        typed = value[:k] + str((int(value[k]) + 1 + int(rng.integers(0, 8))) % 10) + value[k + 1 : -1]
        year, serial = typed.split("/")
        out[i] = typed + pnc_check_character(year, serial)
    return out


def split_people(
    people: pd.DataFrame, *, sources: int, seed: int, rates: ErrorRates | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Each source's people file (with a postcode column) and the truth: (source_system, source_id, person)."""
    if sources not in (2, 3):
        raise ValueError(f"--sources must be 2 or 3, got {sources}")
    r = rates or ErrorRates()
    rng = np.random.default_rng([seed, 19])
    n = len(people)
    person = people["source_id"].to_numpy().astype(object)
    history = [_postcodes(n, rng) for _ in range(3)]
    has_crn = people["probation_crn"].notna().to_numpy()
    holders = {
        "POLICE": np.ones(n, dtype=bool),
        # Probation holds everyone with a CRN, and some others in earlier supervision.
        "PROBATION": has_crn | (rng.random(n) < r.probation_share * 0.2),
        "PARTNER": rng.random(n) < r.partner_share,
    }
    frames: dict[str, pd.DataFrame] = {}
    truth = []
    for number, name in enumerate(SOURCES[:sources]):
        rows = np.flatnonzero(holders[name])
        m = len(rows)
        base = people.iloc[rows].reset_index(drop=True)
        family = base["family_name"].to_numpy().astype(object)
        given = base["given_names"].to_numpy().astype(object)
        dob = pd.to_datetime(base["date_of_birth"]).to_numpy()
        # Police are the reference copy; the others add their own slips.
        scale = 0.0 if name == "POLICE" else 1.0
        family = _typo(family, rng.random(m) < r.family_name_typo * scale, rng)
        given = _nickname(given, rng.random(m) < r.given_name_nickname * scale, rng)
        given = _typo(given, rng.random(m) < r.given_name_typo * scale, rng)
        dob_frame = pd.DataFrame({"d": pd.DatetimeIndex(dob)})
        day, month, year = dob_frame["d"].dt.day, dob_frame["d"].dt.month, dob_frame["d"].dt.year
        swap = (rng.random(m) < r.dob_transposed * scale) & (day <= 12).to_numpy() & (day != month).to_numpy()
        slip = (rng.random(m) < r.dob_typo * scale) & ~swap & (day <= 18).to_numpy()
        new_day = np.where(swap, month, np.where(slip, day + 10, day))
        new_month = np.where(swap, day, month)
        dob_out = pd.to_datetime(
            pd.DataFrame({"year": year, "month": new_month, "day": new_day}), errors="coerce"
        ).fillna(dob_frame["d"])
        pnc = base["pnc_id"].to_numpy().astype(object)
        if name == "POLICE":
            crn = np.full(m, None, dtype=object)
            local = base["local_police_id"].to_numpy().astype(object)
        elif name == "PROBATION":
            pnc = _blank(pnc, rng.random(m) < r.pnc_missing)
            pnc = _bad_pnc(pnc, rng.random(m) < r.pnc_mistyped, rng)
            crn = base["probation_crn"].to_numpy().astype(object)
            crn = _blank(crn, rng.random(m) < r.crn_missing)
            local = np.full(m, None, dtype=object)
        else:
            # Partners seldom record justice identifiers: a CRN on a referral from probation at most.
            pnc = np.full(m, None, dtype=object)
            crn = _blank(base["probation_crn"].to_numpy().astype(object), rng.random(m) >= 0.3)
            local = np.full(m, None, dtype=object)
        which = np.where(rng.random(m) < r.moved_address, 1 + number % 2, 0)
        postcode = np.select([which == k for k in range(3)], [h[rows] for h in history])
        source_ids = np.array([f"{name[:2]}{i:08d}" for i in range(m)], dtype=object)
        # Shuffled, so a source's row order says nothing about who is who.
        order = rng.permutation(m)
        frame = pd.DataFrame(
            {
                "source_system": name,
                "source_id": source_ids,
                "pnc_id": pnc[order],
                "probation_crn": crn[order],
                "local_police_id": local[order],
                "family_name": family[order],
                "given_names": given[order],
                "aliases": base["aliases"].to_numpy()[order],
                "date_of_birth": dob_out.dt.date.to_numpy()[order],
                "sex": base["sex"].to_numpy()[order],
                "ethnicity": base["ethnicity"].to_numpy()[order],
                "postcode": postcode[order],
            }
        )
        frames[name] = frame
        truth.append(
            pd.DataFrame({"source_system": name, "source_id": source_ids, "person": person[rows][order]})
        )
    return frames, pd.concat(truth, ignore_index=True)


def split_events(events: pd.DataFrame, truth: pd.DataFrame, *, seed: int) -> dict[str, pd.DataFrame]:
    """Each event goes to one source that holds its person, renamed to that source's record."""
    rng = np.random.default_rng([seed, 20])
    holdings = truth.groupby("person")
    options = holdings["source_system"].agg(list)
    chosen = options.loc[events["person_source_id"]].to_numpy()
    pick = np.array([o[int(rng.integers(0, len(o)))] for o in chosen], dtype=object)
    key = truth.set_index(["source_system", "person"])["source_id"]
    record = key.loc[list(zip(pick, events["person_source_id"], strict=True))].to_numpy()
    out = events.assign(source_system=pick, person_source_id=record)
    return {name: frame.reset_index(drop=True) for name, frame in out.groupby("source_system")}


def synthesise_sources(
    out_dir: Path | str,
    *,
    people: int,
    seed: int,
    sources: int = 3,
    as_of: date = DEFAULT_AS_OF,
    fmt: str = "parquet",
    rates: ErrorRates | None = None,
) -> SourcesResult:
    """people_<SOURCE>, postcodes_<SOURCE> and events_<SOURCE> (.<fmt>) per source, and truth.<fmt>."""
    out = Path(out_dir)
    base = synthesise(out / "area", people=people, seed=seed, as_of=as_of, fmt=fmt)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    base_people = read(base.people_path, dtype={"sex": str}) if fmt == "csv" else read(base.people_path)
    frames, truth = split_people(base_people, sources=sources, seed=seed, rates=rates)
    events = split_events(read(base.events_path), truth, seed=seed)
    paths: dict[str, Path] = {}
    for name, frame in frames.items():
        # The import format has no address; postcodes go beside it for linkage measured with them.
        outputs = (
            ("people", frame.drop(columns=["postcode"])),
            ("postcodes", frame[["source_system", "source_id", "postcode"]]),
            ("events", events.get(name, events["POLICE"].iloc[:0])),
        )
        for kind, data in outputs:
            path = out / f"{kind}_{name}.{fmt}"
            if fmt == "parquet":
                data.to_parquet(path, index=False)
            else:
                data.to_csv(path, index=False)
            paths[f"{kind}_{name}"] = path
    truth_path = out / f"truth.{fmt}"
    if fmt == "parquet":
        truth.to_parquet(truth_path, index=False)
    else:
        truth.to_csv(truth_path, index=False)
    manifest = {
        "people": people,
        "records": len(truth),
        "sources": sources,
        "seed": seed,
        "errors": asdict(rates or ErrorRates()),
    }
    (out / "sources.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return SourcesResult(paths, truth_path, len(truth), people)
