"""Pure scoring: strength, decay and circles. No I/O; ``now`` is always a parameter."""

from dunbar.scoring.circles import LAYERS, suggest_circles
from dunbar.scoring.stats import EPOCH, Stats, add, channels, decay_term, kind_bit
from dunbar.scoring.strength import (
    COMPONENTS,
    Component,
    Event,
    Explanation,
    StrengthParams,
    history,
    score,
    score_rows,
    strength,
)

__all__ = [
    "COMPONENTS",
    "EPOCH",
    "LAYERS",
    "Component",
    "Event",
    "Explanation",
    "Stats",
    "StrengthParams",
    "add",
    "channels",
    "decay_term",
    "history",
    "kind_bit",
    "score",
    "score_rows",
    "strength",
    "suggest_circles",
]
