"""Smoke test of the benchmark harness in bench/ on a tiny dossier.

Structure only, never speed: the generator writes a deterministic, valid, clearly synthetic
dossier that builds; ``bench/run.py --quick`` takes every measurement and prints the table
and the JSON. ``make bench`` (the real benchmark, N = 1,000 and 10,000) is not part of the
tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"


def _generate_module():
    name = "dossier_bench_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being made
        spec.loader.exec_module(module)
    return sys.modules[name]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generated_dossier_is_deterministic_valid_synthetic_and_builds(tmp_path, build_site):
    generate = _generate_module().generate
    summary = generate(tmp_path / "a", 30, 20, 8, seed=7)
    generate(tmp_path / "b", 30, 20, 8, seed=7)
    generate(tmp_path / "c", 30, 20, 8, seed=8)
    first = _files(tmp_path / "a")
    assert first == _files(tmp_path / "b")
    assert first != _files(tmp_path / "c")
    assert summary["articles"] == 30 and summary["actors"] == 20 and summary["topics"] == 8

    articles = sorted((tmp_path / "a" / "articles").glob("*.md"))
    assert len(articles) == 30
    kinds = set()
    for path in articles:
        text = path.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        assert re.search(r"^Synthetic article \d+ ", body.lstrip(), re.M)
        assert 2 <= len(re.findall(r"^## ", body, re.M)) <= 5
        assert 600 <= len(body.split()) <= 1100
        kinds.add(re.search(r"^kind: (\S+)", front, re.M).group(1))
        if "kind: op-ed" in front:
            assert "disclaimer:" in front
    assert kinds == {"news", "op-ed"}
    actors = (tmp_path / "a" / "actors.yml").read_text(encoding="utf-8")
    assert actors.count('description: "Synthetic benchmark actor') == 20

    check = subprocess.run(
        [sys.executable, "-m", "build_scripts", "check", "--strict", "--dossier", tmp_path / "a"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "30 articles, 20 actors, 8 topics" in check.stdout

    site = tmp_path / "site"
    built = build_site(tmp_path / "a", site)
    assert built.returncode == 0, built.stderr
    assert (site / "articles" / articles[0].stem / "index.html").is_file()


def test_generator_never_writes_into_the_bundled_dossier(tmp_path):
    generate = _generate_module().generate
    with pytest.raises(ValueError, match="refusing"):
        generate(REPO / "dossier" / "synthetic", 3, 5, 2)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path / "taken", 3, 5, 2)
    assert not (REPO / "dossier" / "synthetic").exists()


def test_quick_run_prints_the_table_and_writes_json(tmp_path):
    out = tmp_path / "quick.json"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("DOSSIER_DIR", None)
    run = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| Measurement" in run.stdout and "| Target" in run.stdout
    for label in (
        "Generation stage, load → render",
        "Floor under it: bare libraries",
        "Full dossier build",
        "Plain article-only build",
        "Full / plain time",
        "Full / plain peak RSS",
        "Search before first result",
        "mkdocs serve: edit → page shows it",
        "Alias matching",
    ):
        assert label in run.stdout

    results = json.loads(out.read_text())
    assert results["errors"] == []
    size = results["sizes"]["30"]
    for key in ("stage", "floor", "full", "plain", "search", "plain_search", "serve"):
        assert "error" not in size[key], size[key]
    assert size["stage"]["errors"] == 0 and size["stage"]["pages"] > 30
    assert set(size["stage"]["timings"]) >= {"load", "render"}
    # The floor reads, parses and scans every article, and is a part of what the stage does.
    assert size["floor"]["articles"] == 30 and size["floor"]["matches"] > 0
    assert 0 < size["floor"]["cpu_seconds"] < size["stage"]["cpu_seconds"]
    assert size["full"]["warnings"] == 0
    assert size["full"]["html_files"] > size["plain"]["html_files"]
    assert size["plain"]["article_pages"] == 30
    assert size["full"]["peak_rss_mb"] > 0 and size["plain"]["peak_rss_mb"] > 0
    assert size["search"]["backend"] == "dossier"  # the default
    assert size["search"]["bytes"] > 0
    assert size["serve"]["rebuilds_for_edit"] >= 1
    assert results["matcher"]["aliases"] == 3000
    assert {check["status"] for check in results["targets"]} <= {"PASS", "FAIL", "not measured"}
    assert results["table"] in run.stdout


def _cbor(value) -> bytes:
    """Just enough CBOR for a Pagefind meta file: text, small integers, lists."""

    def head(major: int, length: int) -> bytes:
        if length < 24:
            return bytes([major << 5 | length])
        return bytes([major << 5 | 25]) + length.to_bytes(2, "big")

    if isinstance(value, str):
        data = value.encode("utf-8")
        return head(3, len(data)) + data
    if isinstance(value, int):
        return head(0, value)
    return head(4, len(value)) + b"".join(_cbor(item) for item in value)


def test_pagefind_payload_counts_entry_files_and_only_the_chunks_the_query_touches(
    tmp_path, monkeypatch
):
    import gzip

    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location("dossier_bench_run", BENCH / "run.py")
    run = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dossier_bench_run", run)
    spec.loader.exec_module(run)

    pagefind = tmp_path / "site" / "pagefind"
    (pagefind / "shards.json").parent.mkdir(parents=True)
    (pagefind / "shards.json").write_text(json.dumps({"shards": ["0/", "1/"]}))
    entry = {"version": "1.5.2", "languages": {"en": {"hash": "en_m", "wasm": "en"}}}
    meta = ["1.5.2", [["en_p", 10]], [["a", "m", "en_c1"], ["n", "z", "en_c2"]], [], []]
    for shard in ("0", "1"):
        root = pagefind / shard
        for folder in ("index", "fragment"):
            (root / folder).mkdir(parents=True)
        (root / "pagefind-entry.json").write_text(json.dumps(entry))
        (root / "pagefind.en_m.pf_meta").write_bytes(gzip.compress(b"pagefind_dcd" + _cbor(meta)))
        (root / "index" / "en_c1.pf_index").write_bytes(b"1" * 5000)
        (root / "index" / "en_c2.pf_index").write_bytes(b"2" * 7000)
        (root / "fragment" / "en_p.pf_fragment").write_bytes(b"f" * 300)
    (pagefind / "0" / "pagefind.js").write_bytes(b"j" * 100)
    (pagefind / "0" / "wasm.en.pagefind").write_bytes(b"w" * 1000)
    (tmp_path / "site" / "search").mkdir()  # Pagefind wins over a leftover lunr index
    (tmp_path / "site" / "search" / "search_index.json").write_text("{}")

    payload = run.search_payload(tmp_path / "site", "Zebra")
    assert payload["backend"] == "pagefind"
    for shard in ("0", "1"):
        assert f"pagefind/{shard}/index/en_c2.pf_index" in payload["files"]
        assert f"pagefind/{shard}/index/en_c1.pf_index" not in payload["files"]
    meta_size = (pagefind / "0" / "pagefind.en_m.pf_meta").stat().st_size
    entry_size = (pagefind / "0" / "pagefind-entry.json").stat().st_size
    shards_size = (pagefind / "shards.json").stat().st_size
    # The script and the WebAssembly once; each shard's entry, meta and chunk; one fragment.
    assert payload["bytes"] == shards_size + 100 + 1000 + 2 * (entry_size + meta_size + 7000) + 300


def test_a_larger_dossier_is_indexed_in_auto_shards(tmp_path, build_site):
    """``search_shard_pages: auto`` sizes the shards from the build's own page count."""
    from build_scripts import search

    _generate_module().generate(tmp_path / "dossier", 220, 40, 10, seed=3)
    site = tmp_path / "site"
    built = build_site(tmp_path / "dossier", site, {"DOSSIER_SEARCH_BACKEND": "pagefind"})
    assert built.returncode == 0, built.stderr
    pages = len(search.indexed_pages(site))
    assert pages > search.AUTO_MIN_SHARD_PAGES  # more than one shard's worth
    shards = -(-pages // search.auto_shard_pages(pages))
    assert shards > 1
    assert f"indexed {pages} pages in {shards} shard(s)" in built.stderr
    manifest = json.loads((site / "pagefind" / search.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["shards"] == [f"{n}/" for n in range(shards)]


def test_dossier_payload_counts_the_shards_a_query_fetches(tmp_path, monkeypatch):
    """The manifest, each word's shard, the shards of the words it starts (at most three) and
    of its stem, and ten fragments."""
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location("dossier_bench_run", BENCH / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    firsts = ["a", "bat", "bo", "ca", "cb", "cc", "cd", "ce", "x"]
    shards = bench.DossierSearch.shards
    assert shards(firsts, "bz") == [2]  # two letters: its own shard only
    assert shards(firsts, "bat") == [1]
    assert shards(firsts, "cat") == [3]
    assert shards(firsts, "c") == [2]  # "c" sorts before "ca": in the shard before it
    assert shards(firsts, "cab") == [3]
    # A prefix whose words run over several shards: at most three of them.
    assert shards(["a", "pre", "prea", "preb", "prec", "pred", "z"], "pre") == [1, 2, 3]
    # A stem: "attacks" also fetches where "attack..." words are.
    assert shards(["a", "attack", "attacks", "b"], "attacks") == [1, 2]

    root = tmp_path / "site" / "dossier-search"
    (root / "t").mkdir(parents=True)
    (root / "f").mkdir()
    manifest = {"format": 1, "documents": 12, "shards": firsts}
    (root / "index.json").write_text(json.dumps(manifest))
    for number in range(len(firsts)):
        (root / "t" / f"{number}.bin").write_bytes(b"s" * (100 + number))
    for number in range(12):
        (root / "f" / f"{number}.json").write_text("f" * (1000 if number % 2 else 3000))
    payload = bench.search_payload(tmp_path / "site", "Bat cat")
    assert payload["backend"] == "dossier"
    assert sorted(payload["files"]) == sorted(
        [
            "dossier-search/index.json",
            "dossier-search/t/1.bin",
            "dossier-search/t/3.bin",
            "dossier-search/f/<10 results> (median size)",
        ]
    )
    assert payload["files"]["dossier-search/f/<10 results> (median size)"] == 10 * 2000
    assert payload["bytes"] == sum(payload["files"].values())
