"""The generative model of one police area's known offenders and their offending histories.

A person enters the area's records with their first police contact and then has *episodes*
(police contacts) as a renewal process in street time (time in custody does not count). Rather
than one mechanism tuned to reproduce every published figure at once, the population is a mix of
a few explicit person types, so that each calibration target is driven mainly by its own parameter
(docs/synthetic-area.md has the arithmetic):

- *occasional* offenders (most people): one episode, sometimes one or two more;
- *career* offenders (`career_share`): a *burst* of episodes at a high, steady rate until their
  record reaches `burst_occasions` sanction occasions (the persistent core while it lasts), then a
  long *tail* of regularly spaced episodes (about one every 20 months) until the career ends.

Each episode is recorded as an arrest with no further action, an out-of-court disposal, a caution,
or a charge; a charge usually ends in a conviction, sometimes for several offences on one court
occasion. Custody depends on the record, on recent sanctions and on the seriousness of the offence;
its length on the seriousness only. The chunk of people is simulated with numpy one episode *rank*
at a time (everyone's first episode, then everyone's second, ...), not once per episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openiom.imports import schema
from openiom.reference.datafiles import ReferenceData
from openiom.synth import identifiers
from openiom.vocabulary import EVENT_TYPES as EVENT_CODES
from openiom.vocabulary import PROBATION_DISPOSALS

EPOCH = date(1970, 1, 1)
YEAR = 365.25

# Codes come from the import schema; the lists only fix an order so they can be indexed by number.
EVENT_TYPES = sorted(schema.EVENT_TYPES)
ARREST, CHARGE, CONVICTION, CAUTION, OOCD = (EVENT_TYPES.index(e) for e in EVENT_CODES)
NON_CUSTODIAL_COURT = sorted(schema.COURT_DISPOSALS - {"custody"})
DISPOSALS = [
    "custody",
    *NON_CUSTODIAL_COURT,
    *sorted(schema.CAUTION_DISPOSALS),
    *sorted(schema.OUT_OF_COURT_DISPOSALS),
]
NON_CUSTODIAL_SHARES = {
    "suspended_sentence": 0.13,
    "community_order": 0.24,
    "fine": 0.36,
    "conditional_discharge": 0.14,
    "absolute_discharge": 0.02,
    "other_court": 0.11,
}
NON_CUSTODIAL_WEIGHTS = np.array([NON_CUSTODIAL_SHARES[d] for d in NON_CUSTODIAL_COURT])
# 2021 Census, England and Wales, usual residents (ONS, "Ethnic group, England and Wales: Census
# 2021", per cent), on the police 18+1 codes; Roma (0.2) has no code of its own and is in W9. Not
# stated is about 5 % of police records.
ETHNICITY_WEIGHTS = {
    "W1": 74.4,
    "W2": 0.9,
    "W3": 0.1,
    "W9": 6.4,
    "A1": 3.1,
    "A2": 2.7,
    "A3": 1.1,
    "A4": 0.7,
    "A9": 1.6,
    "B1": 1.0,
    "B2": 2.5,
    "B9": 0.5,
    "M1": 0.8,
    "M2": 0.4,
    "M3": 0.8,
    "M9": 0.9,
    "O2": 0.6,
    "O9": 1.6,
    "NS": 5.0,
}
ETHNICITY_CODES = sorted(schema.ETHNICITIES)
ETHNICITY_P = np.array([ETHNICITY_WEIGHTS[c] for c in ETHNICITY_CODES]) / sum(ETHNICITY_WEIGHTS.values())

# Share of recorded offences by category for each offending style. Columns follow CATEGORIES.
CATEGORIES = [
    "shoplifting",
    "theft_other",
    "theft_from_person",
    "burglary_dwelling",
    "burglary_other",
    "vehicle_crime",
    "robbery",
    "handling",
    "fraud",
    "violence_without_injury",
    "violence_with_injury",
    "stalking_harassment",
    "weapons",
    "criminal_damage",
    "drugs",
    "public_order",
    "motoring",
    "justice",
    "sexual_other",
    "rape",
    "homicide",
]
STYLE_MIX = np.array(
    [
        # acquisitive (often drug-driven, the classic IOM neighbourhood-crime profile)
        [34, 9, 3, 7, 4, 7, 3, 3, 2, 5, 3, 0.5, 1.5, 5, 8, 2, 1, 1.8, 0.1, 0.05, 0.01],
        # violent / domestic abuse
        [3, 3, 0.5, 1, 0.5, 1, 1.5, 0.5, 0.5, 28, 18, 10, 4, 10, 4, 7, 2, 4, 1.5, 0.5, 0.08],
        # general / versatile
        [10, 8, 1, 2.5, 2.5, 4, 1.5, 2, 3, 13, 7, 2, 3, 10, 13, 9, 8, 1.5, 0.5, 0.15, 0.02],
    ]
)
STYLE_MIX = STYLE_MIX / STYLE_MIX.sum(axis=1, keepdims=True)
VIOLENCE = {"violence_without_injury", "violence_with_injury", "stalking_harassment"}
# Log-odds of custody on conviction added for the category (or code, below) on top of the record.
CUSTODY_SEVERITY = {
    "homicide": 9.0,
    "rape": 5.0,
    "sexual_other": 1.5,
    "robbery": 2.3,
    "burglary_dwelling": 1.6,
    "violence_with_injury": 0.9,
    "weapons": 0.9,
    "burglary_other": 0.6,
    "vehicle_crime": 0.1,
    "theft_from_person": 0.5,
    "justice": 0.6,
    "stalking_harassment": 0.5,
    "drugs": -0.4,
    "motoring": -0.7,
    "public_order": -0.6,
    "handling": -0.2,
    "fraud": -0.2,
    "criminal_damage": -0.5,
    "violence_without_injury": -0.2,
    "shoplifting": 0.0,
    "theft_other": -0.2,
}
CODE_SEVERITY = {
    "092/01": 2.5,
    "092/03": -2.0,
    "005/01": 2.5,
    "029/01": 2.0,
    "037/02": 1.0,
    "056/01": 1.5,
    "066/02": 2.0,
    "105/02": 0.3,
}
# Offences only a court deals with (no cautions or out-of-court disposals).
INDICTABLE_ONLY = {"homicide", "rape", "robbery", "burglary_dwelling"}
# Relative frequency of codes within their category; codes not listed weigh 1.
CODE_WEIGHTS = {
    "001/01": 1,
    "005/01": 1,
    "008/01": 8,
    "008/02": 2,
    "105/01": 8,
    "105/02": 2,
    "008/10": 4,
    "008/11": 1,
    "028/01": 10,
    "029/01": 0.3,
    "034/01": 4,
    "034/02": 1,
    "037/02": 1,
    "048/01": 3,
    "045/01": 5,
    "126/01": 1,
    "049/01": 4,
    "044/01": 1,
    "056/01": 0.3,
    "058/01": 3,
    "058/02": 3,
    "092/01": 2,
    "092/02": 3,
    "092/03": 5,
    "066/01": 10,
    "066/02": 0.5,
    "803/01": 3,
    "804/01": 2,
    "083/01": 3,
    "083/02": 2,
}


# How the defaults were chosen (docs/synthetic-area.md has the full version). Among a year's
# sanctioned people: each career gives ~2 burst years with 0-14 previous occasions (reoffend ~90 %),
# ~2 burst years with 15+ (~95 %) and ~26 x 0.3 = 8 tail years with 15+ (regular gaps, few
# reoffend); career_share 2.2 % puts ~45 occasional offenders (reoffend ~8 %) beside each career.
# 15+ share ~ 10 / (13 + occasional) ~ 0.36; reoffending ~ 0.53 x 8 % + 0.11 x 80 % + 0.36 x 41 %
# ~ 27 %; churn ~ a quarter of the ~4-year bursts ending each year plus a few short-custody or
# unlucky years ~ 40 %; then a few measured runs on 120,000-360,000 people fixed the details.
@dataclass(frozen=True)
class ModelParameters:
    """Calibrated defaults; docs/synthetic-area.md explains each and the statistic it drives."""

    history_years: float = 12.0  # the window the calibration statistics look at
    lead_years: float = 20.0  # careers may start this long before the window; records are whole-life
    male_share: float = 0.85
    juvenile_onset_share: float = 0.6  # first contact at 10-19 (the rest: adult onset, 18 + gamma)
    juvenile_onset_age: float = 15.5
    career_onset_age: float = 18.0  # careers start at this age (normal, sd 2.5, 12-30)
    # Occasional offenders (most people): one episode, and this chance of each further one.
    occasional_repeat: float = 0.12
    occasional_rate: float = 0.8  # episodes a year while they go on
    # Career offenders start with a *burst*: a run of episodes at a high personal rate (the
    # persistent core while it lasts), then a long steady *tail*.
    career_share: float = 0.022
    burst_rate: float = 11.0  # median episodes a street-year in the burst (log-normal, sigma 0.3)
    burst_occasions: float = 28.0  # the burst lasts until this many sanction occasions ...
    burst_occasions_extra: float = 2.0  # ... plus a Poisson number with this mean
    burst_gap_shape: float = 20.0  # gaps between episodes are gamma; 1 = Poisson, larger = steadier
    tail_rate: float = 0.6  # median episodes a street-year in the tail (log-normal, sigma 0.3)
    tail_years: float = 26.0  # mean street-years of the tail (gamma, shape 3)
    tail_gap_shape: float = 30.0
    career_nfa_factor: float = 0.3  # no further action is this much less likely for career offenders
    female_rate_factor: float = 0.7
    # Further offences dealt with on the same court occasion: Poisson with this mean (at most 9).
    extra_offences: float = 0.3
    nfa_share: float = 0.55  # episodes ending in arrest with no further action
    conviction_given_charge: float = 0.86
    custody_intercept: float = -4.8
    custody_per_log_record: float = 0.5
    custody_per_recent: float = 0.55  # per recent sanction (decaying by 1/e a year)
    remand_share: float = 0.2
    volume_sentence_days: float = 60.0  # median custodial sentence for volume offences
    # The planted difference (docs/synthetic-area.md, docs/fairness.md): people of this high-level
    # ethnic group (the first letter of their code) are `planted_factor` times as likely as everyone
    # else to have a career of repeated recorded offending, with the area's career share kept at
    # `career_share`, so the fairness report has a known disparity to find. 1 plants nothing.
    planted_group: str = "B"
    planted_factor: float = 1.5


@dataclass(frozen=True)
class OffenceCatalogue:
    codes: np.ndarray  # offence codes (str)
    category_of_code: np.ndarray  # index into CATEGORIES per code
    code_cum: list[np.ndarray]  # per category: cumulative weights over its codes
    code_index: list[np.ndarray]  # per category: indices into codes
    code_severity: np.ndarray  # custody log-odds per code (category + code adjustment)

    @classmethod
    def from_reference(cls, reference: ReferenceData) -> OffenceCatalogue:
        offences = reference.offences
        known = {r["category"] for r in offences}
        missing = [c for c in CATEGORIES if c not in known]
        if missing:
            raise ValueError(
                f"reference data {reference.version} has no offence codes for: {', '.join(missing)}"
            )
        codes = np.array([r["offence_code"] for r in offences if r["category"] in CATEGORIES])
        cats = np.array([CATEGORIES.index(r["category"]) for r in offences if r["category"] in CATEGORIES])
        code_cum, code_index = [], []
        for c in range(len(CATEGORIES)):
            idx = np.flatnonzero(cats == c)
            w = np.array([CODE_WEIGHTS.get(str(codes[i]), 1.0) for i in idx])
            code_index.append(idx)
            code_cum.append(np.cumsum(w) / w.sum())
        severity = np.array(
            [
                CUSTODY_SEVERITY[CATEGORIES[c]] + CODE_SEVERITY.get(str(code), 0.0)
                for code, c in zip(codes, cats, strict=True)
            ]
        )
        return cls(codes, cats, code_cum, code_index, severity)


def _pick(rng: np.random.Generator, cum_rows: np.ndarray) -> np.ndarray:
    """One draw per row from per-row cumulative probabilities."""
    u = rng.random((cum_rows.shape[0], 1))
    picked: np.ndarray = np.minimum((u > cum_rows).sum(axis=1), cum_rows.shape[1] - 1)
    return picked


def _days(d: date) -> int:
    return (d - EPOCH).days


@dataclass
class Chunk:
    people: pa.Table
    events: pa.Table


def generate_chunk(
    seed: int,
    chunk_index: int,
    first_person: int,
    n: int,
    as_of: date,
    source_system: str,
    catalogue: OffenceCatalogue,
    params: ModelParameters,
) -> Chunk:
    """Simulate people first_person..first_person+n-1. Depends only on (seed, chunk_index, n, ...)."""
    rng = np.random.default_rng([seed, chunk_index])
    p = params
    # Ethnicity has its own stream, so the planted difference changes who is a career offender and
    # nothing else about the area's random draws.
    ethnicity = np.random.default_rng([seed, chunk_index, 1]).choice(
        np.array(ETHNICITY_CODES, dtype=object), n, p=ETHNICITY_P
    )
    end_day = _days(as_of)
    start_day = end_day - round((p.history_years + p.lead_years) * YEAR)

    # --- people ---------------------------------------------------------------------------------
    male = rng.random(n) < p.male_share
    juvenile_onset = rng.random(n) < p.juvenile_onset_share
    onset_age = np.where(
        juvenile_onset,
        np.clip(rng.normal(p.juvenile_onset_age, 1.8, n), 10.0, 19.9),
        18.0 + np.minimum(rng.gamma(1.5, 6.0, n), 50.0),  # nobody is first recorded after 68
    )
    entry_day = rng.integers(start_day, end_day, n).astype(np.float64)
    career = rng.random(n) < p.career_share * planted_multiplier(ethnicity, p)
    career_onset = np.clip(rng.normal(p.career_onset_age, 2.5, n), 12.0, 30.0)
    onset_age = np.where(career, career_onset, onset_age)
    dob = np.floor(entry_day - onset_age * YEAR - rng.random(n)).astype(np.int64)
    sex_factor = np.where(male, 1.0, p.female_rate_factor)
    burst_rate = p.burst_rate * np.exp(0.3 * rng.standard_normal(n)) * sex_factor
    tail_rate = p.tail_rate * np.exp(0.3 * rng.standard_normal(n)) * sex_factor
    burst_n = np.where(career, p.burst_occasions + rng.poisson(p.burst_occasions_extra, n), 0)
    tail_years = rng.gamma(3.0, p.tail_years / 3.0, n) * YEAR
    # The end of a career's tail (street time) is set when its burst ends.
    career_end = np.full(n, np.inf)
    # Career offenders are mostly acquisitive; some people are violent and domestic abusers.
    p_acq = np.where(career, 0.55, 0.15)
    p_violent = 0.3 * (1.0 - p_acq)
    u = rng.random(n)
    style = np.where(u < p_acq, 0, np.where(u < p_acq + p_violent, 1, 2))
    domestic_abuser = (style == 1) & male & (rng.random(n) < 0.55) | (style == 2) & (rng.random(n) < 0.08)
    n_partners = 1 + rng.binomial(3, 0.3, n)
    style_cum = np.cumsum(STYLE_MIX, axis=1)
    indictable_cats = [CATEGORIES.index(c) for c in INDICTABLE_ONLY]
    violent_cats = [CATEGORIES.index(c) for c in VIOLENCE]
    oocd_penalty_cats = [CATEGORIES.index(c) for c in ("motoring", "drugs", "public_order")]
    nc_cum = np.cumsum(NON_CUSTODIAL_WEIGHTS) / NON_CUSTODIAL_WEIGHTS.sum()
    d_custody = DISPOSALS.index("custody")
    d_caution, d_conditional = DISPOSALS.index("caution"), DISPOSALS.index("conditional_caution")
    d_resolution, d_penalty = DISPOSALS.index("community_resolution"), DISPOSALS.index("penalty_notice")

    def draw_codes(cat: np.ndarray) -> np.ndarray:
        code = np.empty(cat.size, np.int64)
        for c in np.unique(cat):
            sel = np.flatnonzero(cat == c)
            idx = np.searchsorted(catalogue.code_cum[c], rng.random(sel.size))
            code[sel] = catalogue.code_index[c][np.minimum(idx, catalogue.code_cum[c].size - 1)]
        return code

    # --- offending, one episode at a time --------------------------------------------------------
    # An episode is one police contact: an offence, or for a charged case the first offence and any
    # further offences dealt with on the same court occasion.
    t = entry_day.copy()
    episodes = np.zeros(n, np.int64)  # previous episodes
    sanctions = np.zeros(n, np.int64)  # previous sanction occasions
    block_start = np.full(n, np.inf)
    block_end = np.full(n, -np.inf)
    # Recent sanctions: a count that decays by 1/e a year, so a court sees how prolific someone is now.
    recent = np.zeros(n)
    recent_day = np.zeros(n)
    rank = np.zeros(n, np.int64)  # offences so far; numbers the person's event ids
    records: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "person",
            "rank",
            "offence",
            "code",
            "arrest",
            "charge",
            "final",
            "final_type",
            "disposal",
            "custody_start",
            "release",
            "sentence",
            "victim",
            "da",
        )
    }
    active = np.arange(n)
    while active.size:
        m = active.size
        people = active
        first_off = np.floor(t[people])
        age = (first_off - dob[people]) / YEAR
        cat = _pick(rng, style_cum[style[people]])
        prior = sanctions[people]
        indictable = np.isin(cat, indictable_cats)
        juvenile = age < 18

        # Route: 0 no further action, 1 out-of-court disposal, 2 caution, 3 charge. Diversion is
        # for first- and second-timers, and more for juveniles.
        band = np.minimum(prior, 3)
        diversion = np.where(juvenile, 1.3, 1.0)
        p_oocd = np.array([0.22, 0.12, 0.07, 0.03])[band] * diversion
        p_caution = np.array([0.34, 0.2, 0.1, 0.035])[band] * diversion
        u = rng.random(m)
        # A career offender is well known, so fewer of their arrests end with no further action.
        in_burst = prior < burst_n[people]
        nfa_p = (
            p.nfa_share * np.where(indictable, 0.6, 1.0) * np.where(career[people], p.career_nfa_factor, 1.0)
        )
        nfa = rng.random(m) < nfa_p
        route = np.where(
            nfa, 0, np.where(indictable, 3, np.where(u < p_oocd, 1, np.where(u < p_oocd + p_caution, 2, 3)))
        )

        # The episode's offences: row r belongs to episode ep[r] and is its j[r]-th offence, a few
        # days after the one before. Most further offences repeat the first one's category, and the
        # offences only a court deals with are never a further offence (they lead the occasion).
        k = 1 + np.where(route == 3, np.minimum(rng.poisson(p.extra_offences, m), 9), 0)
        first_row = np.cumsum(k) - k
        ep = np.repeat(np.arange(m), k)
        rows = ep.size
        j = np.arange(rows) - first_row[ep]
        steps = np.cumsum(np.where(j == 0, 0, rng.geometric(1 / 6, rows)))
        off = first_off[ep] + steps - steps[first_row][ep]
        other_cat = _pick(rng, style_cum[style[people[ep]]])
        same = (j == 0) | (rng.random(rows) < 0.7) | np.isin(other_cat, indictable_cats)
        row_cat = np.where(same, cat[ep], other_cat)
        code = draw_codes(row_cat)
        last_off = off[first_row + k - 1]
        severity = np.maximum.reduceat(catalogue.code_severity[code], first_row)

        arrest = last_off + np.where(rng.random(m) < 0.7, 0, rng.integers(1, 60, m))
        charge = arrest + np.where(rng.random(m) < 0.55, 0, rng.integers(1, 75, m))
        crown = indictable | (severity > 1.5)
        court_delay = np.where(crown, rng.lognormal(np.log(180), 0.5, m), rng.lognormal(np.log(42), 0.7, m))
        convicted = (route == 3) & (rng.random(m) < p.conviction_given_charge)
        final = np.where(
            route == 3,
            charge + np.ceil(court_delay),
            np.where(route == 2, arrest + rng.integers(0, 21, m), first_off + rng.integers(0, 10, m)),
        )
        final_type = np.where(
            route == 1, OOCD, np.where(route == 2, CAUTION, np.where(convicted, CONVICTION, -1))
        )

        logit = (
            p.custody_intercept
            + p.custody_per_log_record * np.log1p(prior)
            + p.custody_per_recent * recent[people] * np.exp(-(first_off - recent_day[people]) / YEAR)
            + severity
            - np.where(juvenile, 1.5, 0.0)
        )
        custody = convicted & (rng.random(m) < 1.0 / (1.0 + np.exp(-logit)))
        disposal = np.full(m, -1, np.int64)
        disposal[convicted] = 1 + np.searchsorted(nc_cum, rng.random(int(convicted.sum())))
        disposal[custody] = d_custody
        disposal[route == 2] = np.where(rng.random(int((route == 2).sum())) < 0.85, d_caution, d_conditional)
        penalty = np.isin(cat, oocd_penalty_cats)
        disposal[route == 1] = np.where(penalty[route == 1], d_penalty, d_resolution)

        # Sentence length follows the most serious offence (sentences for the occasion's offences
        # run concurrently), not the number of offences: volume offences get weeks to months.
        sentence = np.where(
            severity >= 8,
            rng.integers(5500, 9500, m),
            np.where(
                severity >= 4,
                rng.lognormal(np.log(2200), 0.35, m),
                np.where(
                    severity >= 1.5,
                    rng.lognormal(np.log(900), 0.5, m),
                    rng.lognormal(np.log(p.volume_sentence_days), 0.7, m),
                ),
            ),
        )
        sentence = np.clip(np.round(sentence), 7, 36_500)
        served = np.ceil(sentence * np.where(sentence >= 1460, 2 / 3, 0.5))
        remand = custody & (rng.random(m) < p.remand_share)
        cstart = np.where(remand, charge, final)
        release = cstart + served

        # Events after the as-of date have not happened yet; a pending case keeps its earlier steps.
        pending = final > end_day
        final_type = np.where(pending, -1, final_type)
        custody &= ~pending
        disposal = np.where(pending, -1, disposal)
        arrest_recorded = (route != 1) | (rng.random(m) < 0.4)
        arrest = np.where(arrest_recorded & (arrest <= end_day), arrest, np.nan)
        charge = np.where((route == 3) & (charge <= end_day), charge, np.nan)
        # An offence nobody has yet recorded is not in the files, but it still happened (the
        # person stays on the same path), so only the rows are dropped.
        keep = (~np.isnan(arrest) | ~np.isnan(charge) | (final_type >= 0))[ep]

        row_people = people[ep]
        violent = np.isin(row_cat, violent_cats)
        da = violent & domestic_abuser[row_people] & (rng.random(rows) < 0.75)
        partner = rng.integers(0, n_partners[row_people])
        row_rank = rank[row_people] + j
        victim = np.where(da, partner, np.where(violent & (rng.random(rows) < 0.6), 100 + row_rank, -1))

        for key, value in (
            ("person", row_people),
            ("rank", row_rank),
            ("offence", off),
            ("code", code),
            ("arrest", arrest[ep]),
            ("charge", charge[ep]),
            ("final", final[ep]),
            ("final_type", final_type[ep]),
            ("disposal", disposal[ep]),
            ("custody_start", np.where(custody, cstart, np.nan)[ep]),
            ("release", np.where(custody & (release <= end_day), release, np.nan)[ep]),
            ("sentence", np.where(custody, sentence, np.nan)[ep]),
            ("victim", victim),
            ("da", da),
        ):
            records[key].append(value[keep])

        sanctioned = (final_type == CONVICTION) | (final_type == CAUTION)
        sanctions[people] += sanctioned.astype(np.int64)
        decayed = recent[people] * np.exp(-(final - recent_day[people]) / YEAR)
        recent[people] = np.where(sanctioned, decayed + 1.0, recent[people])
        recent_day[people] = np.where(sanctioned, final, recent_day[people])
        episodes[people] += 1
        rank[people] += k

        # Custody periods take the person off the street; overlapping sentences merge.
        cs = np.where(custody, cstart, np.inf)
        ce = np.where(custody, release, -np.inf)
        overlap = custody & (cs <= block_end[people])
        new_start = np.where(
            overlap, np.minimum(block_start[people], cs), np.where(custody, cs, block_start[people])
        )
        new_end = np.where(
            overlap, np.maximum(block_end[people], ce), np.where(custody, ce, block_end[people])
        )
        block_start[people] = new_start
        block_end[people] = new_end

        # The gap to the next episode (street time) follows the person's phase: burst, tail, or
        # occasional. The burst's last episode starts the tail's clock.
        is_career = career[people]
        burst_over = in_burst & (sanctions[people] >= burst_n[people])
        career_end[people] = np.where(burst_over, last_off + tail_years[people], career_end[people])
        bursting = in_burst & ~burst_over
        intensity = np.where(
            bursting, burst_rate[people], np.where(is_career, tail_rate[people], p.occasional_rate)
        )
        shape = np.where(bursting, p.burst_gap_shape, np.where(is_career, p.tail_gap_shape, 1.0))
        gap = rng.gamma(shape, 1.0 / shape) * YEAR / intensity
        nxt = last_off + np.maximum(gap, 1.0)
        inside = (nxt >= new_start) & (nxt < new_end)
        nxt = np.where(inside, nxt + (new_end - new_start), nxt)
        # Career offenders stop when their (street-time) career ends; the others after each
        # episode unless they repeat.
        career_end[people] += np.where(inside, new_end - new_start, 0.0)
        stays = np.where(is_career, nxt < career_end[people], rng.random(m) < p.occasional_repeat)
        t[people] = nxt
        active = people[stays & (nxt < end_day)]

    return _tables(rng, first_person, n, records, male, dob, entry_day, source_system, catalogue, ethnicity)


def _cat(records: dict[str, list[np.ndarray]], key: str) -> np.ndarray:
    return np.concatenate(records[key]) if records[key] else np.empty(0)


def _tables(
    rng: np.random.Generator,
    first_person: int,
    n: int,
    records: dict[str, list[np.ndarray]],
    male: np.ndarray,
    dob: np.ndarray,
    entry_day: np.ndarray,
    source_system: str,
    catalogue: OffenceCatalogue,
    ethnicity: np.ndarray,
) -> Chunk:
    r = {k: _cat(records, k) for k in records}
    person = r["person"].astype(np.int64)
    order = np.lexsort((r["rank"], person))
    r = {k: v[order] for k, v in r.items()}
    person = person[order]
    global_person = first_person + np.arange(n, dtype=np.int64)

    # --- event rows: arrest, charge, then the outcome, for each recorded offence -----------------
    parts = []
    for type_code, mask, outcome in (
        (0, ~np.isnan(r["arrest"]), r["arrest"]),
        (1, ~np.isnan(r["charge"]), r["charge"]),
        (2, r["final_type"] >= 0, r["final"]),
    ):
        idx = np.flatnonzero(mask)
        parts.append((idx, np.full(idx.size, type_code), outcome[idx]))
    offence_row = np.concatenate([q[0] for q in parts])
    step = np.concatenate([q[1] for q in parts])
    outcome_day = np.concatenate([q[2] for q in parts]).astype(np.int64)
    order = np.lexsort((step, offence_row))
    offence_row, step, outcome_day = offence_row[order], step[order], outcome_day[order]
    is_outcome = step == 2

    event_type = np.where(
        step == 0, ARREST, np.where(step == 1, CHARGE, r["final_type"][offence_row])
    ).astype(np.int64)
    disposal_idx = np.where(is_outcome, r["disposal"][offence_row], -1)
    custody = disposal_idx == 0
    owner = global_person[person[offence_row]]
    event_id = owner * 100_000 + r["rank"][offence_row].astype(np.int64) * 4 + step
    offence_day = r["offence"][offence_row].astype(np.int64)
    victim = r["victim"][offence_row]
    violent = np.isin(
        catalogue.category_of_code[r["code"][offence_row].astype(np.int64)],
        [CATEGORIES.index(c) for c in VIOLENCE],
    )

    def dates(values: np.ndarray, valid: np.ndarray) -> pa.Array:
        return pa.array(np.where(valid, values, 0).astype(np.int32), pa.date32(), mask=~valid)

    cstart = r["custody_start"][offence_row]
    release = r["release"][offence_row]
    sentence = r["sentence"][offence_row]
    victim_valid = victim >= 0
    victim_number = np.where(victim >= 100, victim - 100 + 1000, victim + 1)
    victim_text = identifiers.prefixed("V", owner[victim_valid] * 10_000 + victim_number[victim_valid])
    victim_full = pa.array(np.full(offence_row.size, None, dtype=object), pa.string())
    if victim_valid.any():
        victim_full = _scatter_strings(victim_full, victim_valid, victim_text)
    disposal_names = np.array(["none", *DISPOSALS], dtype=object)
    events = pa.table(
        {
            "source_system": pa.array(np.full(offence_row.size, source_system, dtype=object), pa.string()),
            "source_id": identifiers.prefixed("E", event_id, 13),
            "person_source_id": identifiers.prefixed("P", owner, 8),
            "event_type": pa.array(np.array(EVENT_TYPES, dtype=object)[event_type], pa.string()),
            "offence_date": dates(offence_day, np.ones(offence_row.size, bool)),
            "outcome_date": dates(outcome_day, np.ones(offence_row.size, bool)),
            "offence_code": pa.array(
                catalogue.codes[r["code"][offence_row].astype(np.int64)].astype(object), pa.string()
            ),
            "disposal": pa.array(disposal_names[disposal_idx + 1], pa.string(), mask=~is_outcome),
            "custody_start": dates(np.nan_to_num(cstart).astype(np.int64), custody),
            "release_date": dates(np.nan_to_num(release).astype(np.int64), custody & ~np.isnan(release)),
            "sentence_days": pa.array(np.nan_to_num(sentence).astype(np.int32), pa.int32(), mask=~custody),
            "victim_ref": victim_full,
            "domestic_abuse": pa.array(r["da"][offence_row].astype(bool), pa.bool_(), mask=~violent),
            "force_code": pa.array(np.full(offence_row.size, "SY", dtype=object), pa.string()),
        }
    )

    # --- people rows ---------------------------------------------------------------------------
    on_probation = np.zeros(n, bool)
    probation_rows = np.isin(disposal_idx, [DISPOSALS.index(d) for d in PROBATION_DISPOSALS])
    on_probation[person[offence_row][probation_rows]] = True
    family, given = identifiers.names(rng, male)
    entry_year = (np.datetime64("1970-01-01") + entry_day.astype("timedelta64[D]")).astype("datetime64[Y]")
    year = entry_year.astype(np.int64) + 1970
    has_pnc = rng.random(n) < 0.97
    pnc = identifiers.pnc_ids(global_person, year)
    crn = identifiers.crns(global_person)
    alias = rng.random(n) < 0.12
    alias_family, alias_given = identifiers.names(rng, male)
    alias_text = pc.binary_join_element_wise(pc.utf8_upper(alias_family), alias_given, ", ")
    people = pa.table(
        {
            "source_system": pa.array(np.full(n, source_system, dtype=object), pa.string()),
            "source_id": identifiers.prefixed("P", global_person, 8),
            "pnc_id": pc.if_else(pa.array(has_pnc), pnc, pa.scalar(None, pa.string())),
            "probation_crn": pc.if_else(pa.array(on_probation), crn, pa.scalar(None, pa.string())),
            "local_police_id": identifiers.prefixed("SY", global_person * 7 + 3, 9),
            "family_name": family,
            "given_names": given,
            "aliases": pc.if_else(pa.array(alias), alias_text, pa.scalar(None, pa.string())),
            "date_of_birth": pa.array(dob.astype(np.int32), pa.date32()),
            "sex": pa.array(np.where(male, "M", "F").astype(object), pa.string()),
            "ethnicity": pa.array(ethnicity, pa.string()),
        }
    )
    return Chunk(people=people, events=events)


def planted_multiplier(ethnicity: np.ndarray, p: ModelParameters) -> np.ndarray:
    """Per person, the factor on the career share: `planted_factor` for the planted group over that
    of everyone else, scaled so the expected share over the whole area is unchanged."""
    in_group = np.array([str(code).startswith(p.planted_group) for code in ETHNICITY_CODES])
    share = float(ETHNICITY_P[in_group].sum())
    other = 1.0 / (1.0 + (p.planted_factor - 1.0) * share)
    by_code = np.where(in_group, p.planted_factor * other, other)
    return by_code[np.searchsorted(np.array(ETHNICITY_CODES), ethnicity.astype(str))]


def _scatter_strings(base: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    positions = np.full(mask.size, -1, np.int64)
    positions[mask] = np.arange(int(mask.sum()))
    taken = values.take(pa.array(np.where(mask, positions, 0)))
    return pc.if_else(pa.array(mask), taken, base)
