"""Primary and secondary suppression over a set of linked figures.

Figures are keyed cells; a relation says one cell (a total) is the sum of others. Primary
suppression hides small counts; secondary suppression hides more cells until no relation has
exactly one hidden member, so no hidden cell is the difference of published figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openiom.returns.attacker import recovered
from openiom.returns.cells import (
    CONFIG_FILE,
    DisclosureConfig,
    DisclosureConfigError,
    Relation,
    Shown,
    load_config,
    parse_config,
)

__all__ = [
    "CONFIG_FILE",
    "DisclosureConfig",
    "DisclosureConfigError",
    "Relation",
    "Shown",
    "load_config",
    "parse_config",
    "protect",
]


def protect(
    values: Mapping[str, int], relations: Sequence[Relation], config: DisclosureConfig
) -> dict[str, Shown]:
    """How each cell may be shown."""
    for relation in relations:
        for key in (relation.total, *relation.parts):
            if key not in values:
                raise ValueError(f"relation {relation.total}: cell {key!r} has no value")
        if values[relation.total] != sum(values[p] for p in relation.parts):
            raise ValueError(f"relation {relation.total}: the total is not the sum of its parts")
    shown = {
        key: Shown.SMALL if 0 < value < config.suppress_below else Shown.VALUE
        for key, value in values.items()
    }
    changed = True
    while changed:
        changed = False
        for relation in relations:
            members = (relation.total, *relation.parts)
            hidden = [k for k in members if shown[k] is not Shown.VALUE]
            if len(hidden) != 1:
                continue
            # The smallest published part (a zero only if nothing else), the total last.
            candidates = sorted(
                (k for k in relation.parts if shown[k] is Shown.VALUE),
                key=lambda k: (values[k] == 0, values[k]),
            )
            chosen = candidates[0] if candidates else relation.total
            shown[chosen] = Shown.WITHHELD
            changed = True
    return _audit(values, shown, relations, config)


def _audit(
    values: Mapping[str, int],
    shown: dict[str, Shown],
    relations: Sequence[Relation],
    config: DisclosureConfig,
) -> dict[str, Shown]:
    """Hide more until the attacker recovers nothing: one hidden cell per relation is not enough
    when the marker's range pins the cells (8 = 4 + 4 with both "fewer than 5")."""
    while found := recovered(values, shown, relations, config):
        progress = False
        for key in found:
            for relation in relations:
                members = (relation.total, *relation.parts)
                published = [k for k in relation.parts if shown[k] is Shown.VALUE]
                if key not in members or not (published or shown[relation.total] is Shown.VALUE):
                    continue
                published.sort(key=lambda k: (values[k] == 0, values[k]))
                shown[published[0] if published else relation.total] = Shown.WITHHELD
                progress = True
                break
        if not progress:
            keys = ", ".join(sorted(found))
            raise ValueError(f"cells {keys} cannot be protected: every related figure is hidden")
    return shown
