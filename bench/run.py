"""Benchmark: the dossier's site build against plain MkDocs, at N = 1,000 and 10,000 articles.

``make bench`` runs ``python bench/run.py``. For each N it generates a synthetic dossier
(``bench/generate.py``) in a temporary folder and measures, one after the other on a quiet
machine:

1. the generation stage alone (load -> validate -> link -> render) as ``mkdocs build`` runs
   it, ``pipeline.run_apart(dir)``, in a child process, with its per-stage
   ``Outcome.timings``;
2. the full ``mkdocs build`` of the dossier (the repository's mkdocs.yml, ``DOSSIER_DIR`` set);
3. the plain ``mkdocs build`` of the same article bodies as plain pages (front matter
   stripped) with the same Material theme, search plugin and Markdown extensions, no hook;
4. ratios: full/plain time and peak memory, generation/full, and across sizes how the time
   grows with N;
5. the search payload a reader downloads before the first result (``SEARCH_BACKENDS``);
6. alias matching throughput: ``build_scripts.link.Matcher`` over 3,000 aliases and >= 50 MB
   of synthetic article text;
7. ``mkdocs serve``: an edit to one article until the page shows it, then 10 s of watching for
   further rebuilds (a reload loop).

The dossier has 500 actors and 50 topics at every N (``--actors``, ``--topics``), so the
growth with N is the articles'. Wall time, CPU time and peak RSS come from a small wrapper
process per measurement that runs the command as its child and reads
``getrusage(RUSAGE_CHILDREN)``; a process with much less CPU than wall time waited, usually
for a CPU taken by other work, and the table says so. Every figure is one run, printed in one
table with the targets and PASS/FAIL, and written as JSON to ``bench/results/latest.json``
(``--json`` elsewhere; ``--report FILE`` prints a saved one again). The built sites go to
``/dev/shm`` where there is one (``--sites``; see ``SITES``). Failing targets do not
fail the run; a measurement that could not be taken does (exit 1).

Options: ``--sizes 1000,10000``, ``--quick`` (a smoke run on 30 articles, results in
``bench/results/quick.json``), ``--skip-serve`` (serve is measured at N=1,000 only unless
``--serve-sizes``), ``--page-types`` (one more, instrumented full build per N: time per page
type and build phase), ``--profile`` (cProfile of the generation stage at the largest N).
Internal child commands start with ``_`` and are not for people.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import datetime
import gzip
import importlib.metadata
import io
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import generate as gen
import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
MB = 1_000_000
SETTLE_SECONDS = 2.0
BUSY_CPU_SHARE = 0.85  # a measured process below this share of CPU / wall time had to wait

# The targets (``evaluate`` says at which N each applies).
TIME_RATIO_LIMIT = 1.25
MEMORY_RATIO_LIMIT = 1.3
GENERATION_SHARE_LIMIT = 0.05
LINEARITY_LIMIT = 1.1  # 10x the articles <= 11x the time
MATCHER_LIMIT_MB_S = 50.0
SERVE_LIMIT_SECONDS = 1.0
SEARCH_LIMIT_BYTES = 1_000_000
REFERENCE = (
    "Reference (MkDocs 1.6.1, Material 9.8.1, this kind of machine): plain article-only build "
    "4.8 s at 1,000 / 19.3 s at 5,000 / 40 s at 10,000; Material search index 6.5 / 32 / 65 MB; "
    "mkdocs serve edit->reload 5.0 s at 1,000."
)

# The wrapper: runs argv[3:] as its only child; writes wall time, exit status and the child's
# peak resident set size (ru_maxrss, KiB on Linux) as JSON to argv[1]; output goes to argv[2].
MEASURE = r"""
import json, resource, subprocess, sys, time
result, log, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(log, "wb") as output:
    start = time.perf_counter()
    code = subprocess.call(command, stdout=output, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(result, "w") as handle:
    json.dump({"returncode": code, "seconds": seconds, "max_rss_kib": usage.ru_maxrss,
               "user_seconds": usage.ru_utime, "system_seconds": usage.ru_stime}, handle)
"""


# SITES: the built sites go to a folder in memory where the machine has one, for the plain and
# the full build alike. On the disk of the machine this was measured on, writing sites and
# deleting them made the kernel time of the same 1,000-article build grow run after run
# (0.9 s to 5.4 s): the disk's backlog of the runs before, not either build's work. In
# memory the same build took 0.5 s of kernel time each run. ``--sites DIR`` chooses.
MEMORY_FOLDER = Path("/dev/shm")


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


class MeasurementError(RuntimeError):
    pass


def measure(command: list[str], log: Path, cwd: Path, env: dict[str, str]) -> dict:
    """Run ``command`` under the wrapper; return seconds, peak RSS (MB) and exit status."""
    result = log.with_suffix(".measure.json")
    wrapper = [sys.executable, "-c", MEASURE, str(result), str(log), *command]
    load_before = os.getloadavg()[0]
    subprocess.run(wrapper, cwd=cwd, env=env, check=True)
    data = json.loads(result.read_text())
    data["peak_rss_mb"] = data["max_rss_kib"] * 1024 / MB
    data["cpu_seconds"] = data["user_seconds"] + data["system_seconds"]
    # Other work on the machine slows wall time; the 1-minute load shows whether there was any.
    data["load_1min"] = [load_before, os.getloadavg()[0]]
    data["log"] = str(log)
    if data["returncode"] != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise MeasurementError(f"{' '.join(command[:4])}... exited {data['returncode']}:\n{tail}")
    return data


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    env.pop("DOSSIER_DIR", None)
    env.update(extra)
    return env


# --- 1. the generation stage --------------------------------------------------------------


def _page_type(path: str) -> str:
    if not path.endswith(".md"):
        return "data files"  # exports, feeds: copied as they are, no Markdown
    if path == "index.md" or path.endswith("/index.md"):
        return "index pages"
    return path.split("/", 1)[0] if "/" in path else "other pages"


def child_stage(dossier: str, out: str) -> int:
    """Time the generation stage once as ``mkdocs build`` runs it (``pipeline.run_apart``: in
    a process of its own, the article pages rendered in a second one), imports excluded, and
    describe the pages it made."""
    import build_scripts.link
    import build_scripts.load
    import build_scripts.render
    import build_scripts.validate  # noqa: F401 (imported before the clock starts)
    from build_scripts.pipeline import run_apart

    start = time.perf_counter()
    outcome = run_apart(dossier)
    seconds = time.perf_counter() - start
    types: dict[str, dict[str, int]] = {}
    for page in outcome.pages:
        stats = types.setdefault(_page_type(page.path), {"pages": 0, "bytes": 0})
        stats["pages"] += 1
        stats["bytes"] += len(page.text.encode("utf-8"))
    result = {
        "seconds": seconds,
        "timings": dict(outcome.timings),
        "errors": len(outcome.errors),
        "warnings": len(outcome.warnings),
        "first_problems": [str(problem) for problem in outcome.problems[:5]],
        "pages": len(outcome.pages),
        "page_types": types,
    }
    Path(out).write_text(json.dumps(result))
    return 0 if not outcome.errors else 1


def child_profile(dossier: str, out: str) -> int:
    """cProfile ``pipeline.run`` once; write the top functions by cumulative time."""
    from build_scripts.pipeline import run

    profiler = cProfile.Profile()
    profiler.enable()
    run(dossier)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    Path(out).write_text(text.getvalue())
    return 0


def measure_stage(dossier: Path, work: Path) -> dict:
    out = work / "stage.json"
    command = [sys.executable, str(BENCH / "run.py"), "_stage", str(dossier), str(out)]
    process = measure(command, work / "stage.log", REPO, child_env())
    data = json.loads(out.read_text())
    data["process_seconds"] = process["seconds"]
    data["cpu_seconds"] = process["cpu_seconds"]
    data["peak_rss_mb"] = process["peak_rss_mb"]
    return data


# --- 1b. the floor under the generation stage ----------------------------------------------


def child_floor(dossier: str, out: str) -> int:
    """The least work a generation stage with the dossier's features could do, done with the
    bare libraries and none of the pipeline: read every article file, parse its front matter
    with libyaml (PyYAML's C loader) and pass one Aho-Corasick automaton of every actor name
    and alias over its body (pyahocorasick), the matches only counted. No validation, line
    numbers, Markdown, sentences, listings, exports or pages: a lower bound on the CPU time of
    ``pipeline.run`` on the same dossier, taken in this one process."""
    import ahocorasick

    from build_scripts.yamlsource import SafeLoader  # libyaml's, as the pipeline's

    folder = Path(dossier)
    registry = yaml.load((folder / "actors.yml").read_text(encoding="utf-8"), SafeLoader)
    automaton = ahocorasick.Automaton()
    for actor in registry:
        for name in (actor["name"], *actor.get("aliases", ())):
            automaton.add_word(name, len(name))
    automaton.make_automaton()
    paths = sorted((folder / "articles").glob("*.md"))
    clock = time.process_time
    start = clock()
    texts = [path.read_text(encoding="utf-8") for path in paths]
    read = clock()
    bodies = []
    for text in texts:
        _, front, body = text.split("---\n", 2)
        yaml.load(front, SafeLoader)
        bodies.append(body)
    parsed = clock()
    hits = sum(1 for body in bodies for _ in automaton.iter(body))
    matched = clock()
    result = {
        "articles": len(paths),
        "read_seconds": read - start,
        "front_matter_seconds": parsed - read,
        "matching_seconds": matched - parsed,
        "cpu_seconds": matched - start,
        "matches": hits,
        "cores": os.cpu_count() or 1,
    }
    Path(out).write_text(json.dumps(result))
    return 0


def measure_floor(dossier: Path, work: Path) -> dict:
    out = work / "floor.json"
    command = [sys.executable, str(BENCH / "run.py"), "_floor", str(dossier), str(out)]
    measure(command, work / "floor.log", REPO, child_env())
    return json.loads(out.read_text())


# --- 2, 3. full and plain builds ----------------------------------------------------------

_PIPELINE_LOG_RE = re.compile(r"dossier: .*\((?P<timings>[^()]*ms)\)")


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("WARNING")]


def site_stats(site: Path) -> dict:
    files = [path for path in site.rglob("*") if path.is_file()]
    return {
        "html_files": sum(1 for path in files if path.suffix == ".html"),
        "site_mb": sum(path.stat().st_size for path in files) / MB,
    }


def measure_full_build(dossier: Path, work: Path, site: Path) -> dict:
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)]
    data = measure(command, work / "full-build.log", REPO, child_env(DOSSIER_DIR=str(dossier)))
    log = Path(data["log"]).read_text(errors="replace")
    match = _PIPELINE_LOG_RE.search(log)
    data["pipeline_in_build"] = match.group("timings") if match else ""
    data["warnings"] = len(_warnings(log))
    data["first_warnings"] = _warnings(log)[:5]
    data.update(site_stats(site))
    return data


class _KeepTags(yaml.SafeLoader):
    """Reads mkdocs.yml: ``!ENV`` and ``!relative`` become their default or plain value."""


def _tag_default(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node)
        return values[-1] if values else None
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return loader.construct_scalar(node)


_KeepTags.add_multi_constructor("!", _tag_default)
_KeepTags.add_multi_constructor("tag:yaml.org,2002:python/", _tag_default)


def plain_config() -> dict:
    """The plain site's config: the repository's theme, Markdown and validation; no hook."""
    with open(REPO / "mkdocs.yml", encoding="utf-8") as handle:
        repo = yaml.load(handle, Loader=_KeepTags)
    theme = dict(repo.get("theme") or {"name": "material"})
    theme.pop("custom_dir", None)
    config = {
        "site_name": "Plain MkDocs benchmark site (synthetic articles)",
        "docs_dir": "docs",
        "theme": theme,
        "plugins": ["search"],
        "markdown_extensions": repo.get("markdown_extensions", []),
        # An explicit one-page nav: without one MkDocs lists every page on every page.
        "nav": [{"Home": "index.md"}],
    }
    if "validation" in repo:
        config["validation"] = repo["validation"]
    return config


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return text[end + len("\n---\n") :]
    return text


def make_plain_project(dossier: Path, project: Path) -> int:
    docs = project / "docs" / "articles"
    docs.mkdir(parents=True)
    count = 0
    for article in sorted((dossier / "articles").glob("*.md")):
        body = strip_front_matter(article.read_text(encoding="utf-8"))
        (docs / article.name).write_text(body, encoding="utf-8")
        count += 1
    (project / "docs" / "index.md").write_text(
        "# Plain benchmark site\n\nSynthetic article bodies, built by plain MkDocs.\n",
        encoding="utf-8",
    )
    (project / "mkdocs.yml").write_text(yaml.safe_dump(plain_config(), sort_keys=False))
    return count


def measure_plain_build(dossier: Path, work: Path, site: Path) -> dict:
    project = work / "plain"
    pages = make_plain_project(dossier, project)
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)]
    data = measure(command, work / "plain-build.log", project, child_env())
    log = Path(data["log"]).read_text(errors="replace")
    data["warnings"] = len(_warnings(log))
    data["first_warnings"] = _warnings(log)[:5]
    data["article_pages"] = pages
    data.update(site_stats(site))
    return data


def measure_page_types(dossier: Path, work: Path, site: Path) -> dict:
    """One more full build, with ``page_timing_hook`` after the dossier's hook."""
    with open(REPO / "mkdocs.yml", encoding="utf-8") as handle:
        repo = yaml.load(handle, Loader=_KeepTags)
    # Paths in the inherited config are relative to this config's folder: make them absolute.
    hooks = [str((REPO / hook).resolve()) for hook in repo.get("hooks", [])]
    config: dict = {
        "INHERIT": str(REPO / "mkdocs.yml"),
        "docs_dir": str((REPO / repo.get("docs_dir", "docs")).resolve()),
        "hooks": [*hooks, str(BENCH / "page_timing_hook.py")],
    }
    custom_dir = (repo.get("theme") or {}).get("custom_dir")
    if custom_dir:
        config["theme"] = {"custom_dir": str((REPO / custom_dir).resolve())}
    config_file = work / "timed-mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    out = work / "page-types.json"
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)]
    command += ["--site-dir", str(site)]
    env = child_env(DOSSIER_DIR=str(dossier), DOSSIER_BENCH_TIMING_OUT=str(out))
    data = measure(command, work / "timed-build.log", REPO, env)
    result = json.loads(out.read_text())
    result["seconds"] = data["seconds"]
    return result


# --- 5. search payload --------------------------------------------------------------------


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


class MaterialSearch:
    """Material's built-in (lunr) search: the whole index and the worker, before any result."""

    name = "material-lunr"

    @staticmethod
    def detect(site: Path) -> bool:
        return (site / "search" / "search_index.json").is_file()

    @staticmethod
    def payload(site: Path, query: str) -> dict:
        index = site / "search" / "search_index.json"
        files = [index, *sorted((site / "assets/javascripts/workers").glob("search.*.js"))]
        try:
            languages = json.loads(index.read_bytes())["config"]["lang"]
        except (KeyError, ValueError, TypeError):
            languages = ["en"]
        lunr = site / "assets/javascripts/lunr/min"
        extra = [lang for lang in languages if lang != "en"]
        if extra:  # the worker loads these too (see Material's search worker)
            files.append(lunr / "lunr.stemmer.support.min.js")
            files += [lunr / f"lunr.{lang}.min.js" for lang in extra]
            if len(languages) > 1:
                files.append(lunr / "lunr.multi.min.js")
        files = [path for path in files if path.is_file() and not path.name.endswith(".map")]
        return _payload_result(site, files, query, "whole index loaded before the first query")


class PagefindSearch:
    """Pagefind: the shard list, the script and WebAssembly (once), each shard's entry and
    meta index and the chunks a query touches in it, and one result fragment (the median
    fragment's size, since which page ranks first is not known here)."""

    name = "pagefind"

    @staticmethod
    def detect(site: Path) -> bool:
        return (site / "pagefind" / "shards.json").is_file()

    @staticmethod
    def payload(site: Path, query: str) -> dict:
        root = site / "pagefind"
        shards = [
            root / shard for shard in json.loads((root / "shards.json").read_text())["shards"]
        ]
        files = [root / "shards.json", shards[0] / "pagefind.js"]
        for number, shard in enumerate(shards):
            entry = json.loads((shard / "pagefind-entry.json").read_text())
            languages = entry.get("languages") or {}
            language, info = next(iter(sorted(languages.items())), ("unknown", {}))
            if number == 0:  # one WebAssembly for every shard
                wasm = shard / f"wasm.{info.get('wasm') or language}.pagefind"
                files.append(wasm if wasm.is_file() else shard / "wasm.unknown.pagefind")
            meta = shard / f"pagefind.{info.get('hash', '')}.pf_meta"
            files += [shard / "pagefind-entry.json", meta]
            files += sorted((shard / "filter").glob("*.pf_filter"))
            chunks = _pagefind_chunks(meta, query) if meta.is_file() else []
            files += [shard / "index" / f"{chunk}.pf_index" for chunk in chunks]
        notes = (
            f"{len(shards)} shard(s): script + wasm once; each shard's entry + meta + filters + "
            "chunks for the query; 1 fragment (median size)"
        )
        files = [path for path in files if path.is_file()]
        result = _payload_result(site, files, query, notes)
        fragments = sorted(p.stat().st_size for p in root.glob("*/fragment/*.pf_fragment"))
        if fragments:
            median = int(statistics.median(fragments))
            result["files"]["pagefind/*/fragment/<first result> (median)"] = median
            result["bytes"] += median
            result["gzip_bytes"] += median  # fragments are gzip-compressed already
        return result


class DossierSearch:
    """The dossier index (build_scripts/textindex.py): its manifest, the term shards the
    query's words fall in (as the worker picks them: each word's own shard, and for a word of
    3 letters or more the shards of the words it starts, at most 3, the same for its stem),
    and the fragments of the 10 results shown (the median fragment's size, 10 times)."""

    name = "dossier"
    RESULTS = 10
    PREFIX_SHARDS = 3
    ENDINGS = ("ing", "es", "ed", "ly", "s")

    @staticmethod
    def detect(site: Path) -> bool:
        return (site / "dossier-search" / "index.json").is_file()

    @classmethod
    def shards(cls, firsts: list[str], word: str) -> list[int]:
        def holding(term: str) -> int:
            return max(0, bisect.bisect_right(firsts, term) - 1)

        wanted = {holding(word)}
        prefixes = [word] if len(word) >= 3 else []
        for ending in cls.ENDINGS if len(word) >= 5 else ():
            if word.endswith(ending):
                prefixes.append(word[: -len(ending)])
                break
        for prefix in prefixes:
            first = holding(prefix)
            last = first
            while last + 1 < len(firsts) and firsts[last + 1].startswith(prefix):
                last += 1
            wanted.update(range(first, min(last, first + cls.PREFIX_SHARDS - 1) + 1))
        return sorted(wanted)

    @classmethod
    def payload(cls, site: Path, query: str) -> dict:
        from build_scripts import textindex

        root = site / "dossier-search"
        manifest = json.loads((root / "index.json").read_text(encoding="utf-8"))
        numbers: set[int] = set()
        for word in textindex.terms(query):
            numbers.update(cls.shards(manifest["shards"], word))
        files = [root / "index.json", *(root / "t" / f"{k}.bin" for k in sorted(numbers))]
        notes = (
            f"manifest + {len(numbers)} of {len(manifest['shards'])} term shards; "
            f"{cls.RESULTS} fragments (median size)"
        )
        result = _payload_result(site, files, query, notes)
        fragments = sorted(p.stat().st_size for p in (root / "f").glob("*.json"))
        if fragments:
            shown = int(statistics.median(fragments)) * min(cls.RESULTS, len(fragments))
            result["files"][f"dossier-search/f/<{cls.RESULTS} results> (median size)"] = shown
            result["bytes"] += shown
            result["gzip_bytes"] += shown  # counted as sent: not every server compresses JSON
        return result


def _payload_result(site: Path, files: list[Path], query: str, notes: str) -> dict:
    sizes = {path.relative_to(site).as_posix(): path.stat().st_size for path in files}
    return {
        "query": query,
        "files": sizes,
        "bytes": sum(sizes.values()),
        "gzip_bytes": sum(_gzip_size(path.read_bytes()) for path in files),
        "notes": notes,
    }


def _cbor(data: bytes, position: int = 0) -> tuple[object, int]:
    """A minimal CBOR decoder (definite lengths, what Pagefind's meta file uses)."""
    initial = data[position]
    major, info = initial >> 5, initial & 0x1F
    position += 1
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        width = 1 << (info - 24)
        value = int.from_bytes(data[position : position + width], "big")
        position += width
    else:
        raise ValueError(f"unsupported CBOR item 0x{initial:02x}")
    if major == 0:
        return value, position
    if major == 1:
        return -1 - value, position
    if major in (2, 3):
        raw = data[position : position + value]
        return (raw.decode("utf-8") if major == 3 else raw), position + value
    if major == 4:
        items = []
        for _ in range(value):
            item, position = _cbor(data, position)
            items.append(item)
        return items, position
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, position = _cbor(data, position)
            mapping[str(key)], position = _cbor(data, position)
        return mapping, position
    if major == 6:
        return _cbor(data, position)
    return {20: False, 21: True, 22: None}.get(value), position


def _pagefind_chunks(meta: Path, query: str) -> list[str]:
    """Hashes of the index chunks whose word range covers a word of ``query``."""
    data = gzip.decompress(meta.read_bytes())
    data = data.removeprefix(b"pagefind_dcd")
    decoded, _ = _cbor(data)
    chunks: list[tuple[str, str, str]] = []

    def walk(value: object) -> None:
        if isinstance(value, list):
            if len(value) == 3 and all(isinstance(item, str) for item in value):
                chunks.append((value[0], value[1], value[2]))
                return
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(decoded)
    wanted: list[str] = []
    for word in re.findall(r"\w+", query.lower()):
        for start, end, chunk in chunks:
            # ``end`` is the shortest prefix that ends the chunk: compare that much of the word.
            if start <= word and word[: len(end)] <= end:
                if chunk not in wanted:
                    wanted.append(chunk)
                break
    return wanted


SEARCH_BACKENDS: tuple = (DossierSearch, PagefindSearch, MaterialSearch)  # first detected wins


def search_payload(site: Path, query: str) -> dict:
    for backend in SEARCH_BACKENDS:
        if backend.detect(site):
            result = backend.payload(site, query)
            result["backend"] = backend.name
            return result
    return {"backend": "none found", "query": query, "files": {}, "bytes": 0, "gzip_bytes": 0}


# --- 6. alias matching throughput ---------------------------------------------------------


def child_matcher(aliases: int, megabytes: float, seed: int, out: str) -> int:
    import random

    from build_scripts.link import Matcher
    from build_scripts.model import Actor

    rng = random.Random(seed)
    pool = gen.make_actors(rng, max(aliases, 50))
    actors: list[Actor] = []
    remaining = aliases
    for number, synthetic in enumerate(pool):
        if remaining <= 0:
            break
        taken = tuple(synthetic.aliases[:remaining])
        remaining -= len(taken)
        actors.append(
            Actor(synthetic.id, synthetic.name, synthetic.kind, taken, "", "bench", number + 1)
        )
    used = [
        gen.SyntheticActor(a.id, a.name, a.kind, list(a.aliases)) for a in actors
    ]  # mentions only of the actors the matcher knows
    words = gen.Words(rng)
    weights = gen._zipf(len(used), 1.1)
    bodies = []
    for number in range(1, max(20, min(1000, int(megabytes * MB / 5000) + 1)) + 1):
        named = gen._pick_distinct(rng, used, weights, rng.randint(3, 12))
        mentions = [rng.choice(actor.names) for actor in named for _ in range(rng.randint(1, 3))]
        bodies.append(gen.article_body(rng, words, number, mentions, rng.randint(720, 880)))
    corpus_bytes = sum(len(body.encode("utf-8")) for body in bodies)
    start = time.perf_counter()
    matcher = Matcher(tuple(actors))
    build_seconds = time.perf_counter() - start
    automaton = getattr(matcher, "_automaton", None)
    repeats = max(1, -(-int(megabytes * MB) // corpus_bytes))
    found = 0
    start = time.perf_counter()
    for _ in range(repeats):
        for body in bodies:
            found += len(matcher.find(body))
    find_seconds = time.perf_counter() - start
    result = {
        "aliases": sum(len(actor.aliases) for actor in actors),
        "actors": len(actors),
        "patterns": len(automaton) if automaton is not None else None,
        "text_mb": repeats * corpus_bytes / MB,
        "build_seconds": build_seconds,
        "find_seconds": find_seconds,
        "mb_per_s": repeats * corpus_bytes / MB / find_seconds,
        "mentions_found": found,
    }
    if automaton is not None and hasattr(automaton, "iter"):
        # Diagnostic: the bare Aho-Corasick pass, without word edges or protected spans.
        start = time.perf_counter()
        for _ in range(repeats):
            for body in bodies:
                for _hit in automaton.iter(body):
                    pass
        result["automaton_only_mb_per_s"] = (
            repeats * corpus_bytes / MB / (time.perf_counter() - start)
        )
    Path(out).write_text(json.dumps(result))
    return 0


def measure_matcher(work: Path, aliases: int, megabytes: float, seed: int) -> dict:
    out = work / "matcher.json"
    command = [sys.executable, str(BENCH / "run.py"), "_matcher", str(aliases), str(megabytes)]
    command += [str(seed), str(out)]
    measure(command, work / "matcher.log", REPO, child_env())
    return json.loads(out.read_text())


# --- 7. mkdocs serve ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def _rebuilds(log: Path) -> int:
    return log.read_text(errors="replace").count("Detected file changes")


def measure_serve(dossier: Path, work: Path, quiet_seconds: float) -> dict:
    """Edit one article under ``mkdocs serve``; time until its page shows the edit."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    article = sorted((dossier / "articles").glob("*.md"))[0]
    url = f"{base}/articles/{article.stem}/"
    # What `make serve` runs: --dirty rebuilds only the pages an edit changes.
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty"]
    command += ["--dev-addr", f"127.0.0.1:{port}"]
    with open(log, "wb") as output:
        server = subprocess.Popen(
            command,
            cwd=REPO,
            env=child_env(DOSSIER_DIR=str(dossier)),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        start = time.perf_counter()
        while _get(url, timeout=5)[0] != 200:
            if server.poll() is not None:
                raise MeasurementError(f"mkdocs serve exited:\n{log.read_text()[-3000:]}")
            if time.perf_counter() - start > 1800:
                raise MeasurementError("mkdocs serve did not serve the article in 30 minutes")
            time.sleep(0.2)
        startup = time.perf_counter() - start
        time.sleep(SETTLE_SECONDS)
        before = _rebuilds(log)
        marker = f"Benchmarkmarker{uuid.uuid4().hex[:12]}"
        with open(article, "a", encoding="utf-8") as handle:
            handle.write(f"\nThe benchmark appended this sentence, {marker}.\n")
        edited = time.perf_counter()
        seen = False
        while time.perf_counter() - edited < 600:
            status, body = _get(url, timeout=600)
            if status == 200 and marker in body:
                seen = True
                break
            time.sleep(0.02)
        visible = time.perf_counter() - edited
        if not seen:
            raise MeasurementError("the edit did not show within 600 s")
        at_visible = _rebuilds(log)
        time.sleep(quiet_seconds)
        after = _rebuilds(log)
        reloads = log.read_text(errors="replace").count("Reloading browsers")
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return {
        "startup_seconds": startup,
        "edit_to_visible_seconds": visible,
        "rebuilds_for_edit": at_visible - before,
        "rebuilds_after_visible": after - at_visible,
        "quiet_window_seconds": quiet_seconds,
        "browser_reloads_logged": reloads,
        "article": article.name,
    }


# --- the run ------------------------------------------------------------------------------


def _attempt(results: dict, key: str, errors: list[str], action: Callable[[], dict]) -> None:
    try:
        results[key] = action()
    except Exception as error:
        message = f"{key}: {type(error).__name__}: {error}"
        errors.append(message)
        results[key] = {"error": message}
        print(f"  ! {message}", file=sys.stderr, flush=True)


def run_size(n: int, args: argparse.Namespace, root: Path, errors: list[str]) -> dict:
    work = root / f"n{n}"
    work.mkdir()
    dossier = work / "dossier"
    result: dict = {"n": n}
    say = lambda text: print(f"[N={n:,}] {text}", flush=True)  # noqa: E731

    say("generating the synthetic dossier")
    start = time.perf_counter()
    summary = gen.generate(dossier, n, args.actors, args.topics, args.seed)
    summary["seconds"] = time.perf_counter() - start
    result["dossier"] = summary
    say("generation stage (pipeline.run_apart)")
    _attempt(result, "stage", errors, lambda: measure_stage(dossier, work))
    say("the floor under the generation stage (bare libraries)")
    _attempt(result, "floor", errors, lambda: measure_floor(dossier, work))
    say("full mkdocs build of the dossier")
    sites = args.sites_root / f"n{n}"
    full_site, plain_site = sites / "site-full", sites / "site-plain"
    _attempt(result, "full", errors, lambda: measure_full_build(dossier, work, full_site))
    query = summary["top_actor"]
    if full_site.is_dir():
        _attempt(result, "search", errors, lambda: search_payload(full_site, query))
        shutil.rmtree(full_site, ignore_errors=True)
    say("plain mkdocs build of the same article bodies")
    _attempt(result, "plain", errors, lambda: measure_plain_build(dossier, work, plain_site))
    if plain_site.is_dir():
        _attempt(result, "plain_search", errors, lambda: search_payload(plain_site, query))
        shutil.rmtree(plain_site, ignore_errors=True)
    if args.page_types:
        say("instrumented full build (time per page type)")
        timed_site = sites / "site-timed"
        _attempt(
            result, "page_types", errors, lambda: measure_page_types(dossier, work, timed_site)
        )
        shutil.rmtree(timed_site, ignore_errors=True)
    if n in args.serve_sizes:
        say("mkdocs serve: edit to reload")
        _attempt(result, "serve", errors, lambda: measure_serve(dossier, work, args.serve_quiet))
    if args.profile and n == max(args.sizes):
        say("cProfile of the generation stage")
        out = work / "profile.txt"
        command = [sys.executable, str(BENCH / "run.py"), "_profile", str(dossier), str(out)]
        try:
            measure(command, work / "profile.log", REPO, child_env())
            result["profile"] = out.read_text()
        except (MeasurementError, OSError, subprocess.CalledProcessError) as error:
            errors.append(f"profile: {error}")
    return result


def _num(value: object, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}{suffix}"


def _get_path(data: dict, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _ratio(a: object, b: object) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return a / b
    return None


def _floor_share(data: dict) -> float:
    """The floor's CPU time shared perfectly over the machine's cores, as a share of the full
    build's wall time: the least ``Generation stage / full build`` could be."""
    return data["floor"]["cpu_seconds"] / data["floor"]["cores"] / data["full"]["seconds"]


def evaluate(results: dict) -> list[dict]:
    """Every target, with the value measured and PASS / FAIL / not measured."""
    sizes = results["sizes"]
    checks: list[dict] = []

    def check(name: str, at: str, value: float | None, limit: float, shown: str) -> None:
        status = "not measured" if value is None else "PASS" if value <= limit else "FAIL"
        checks.append({"target": name, "at": at, "value": value, "shown": shown, "status": status})

    def at_size(n: int) -> dict | None:
        return sizes.get(str(n))

    for n in (1000, 10000):
        data = at_size(n) or {}
        ratio = _ratio(_get_path(data, "full", "seconds"), _get_path(data, "plain", "seconds"))
        check(
            "full build time <= 1.25x plain build",
            f"N={n:,}",
            ratio,
            TIME_RATIO_LIMIT,
            _num(ratio, 2, "x"),
        )
    data = at_size(10000) or {}
    share = _ratio(_get_path(data, "stage", "seconds"), _get_path(data, "full", "seconds"))
    shown = _num(None if share is None else share * 100, 1, "%")
    if share is not None and "cpu_seconds" in data.get("floor", {}):
        shown += f" (floor {_floor_share(data) * 100:.1f}%)"
    check("generation stage <= 5% of full build", "N=10,000", share, GENERATION_SHARE_LIMIT, shown)
    for key, data in sizes.items():
        ratio = _ratio(
            _get_path(data, "full", "peak_rss_mb"), _get_path(data, "plain", "peak_rss_mb")
        )
        check(
            "full build peak memory <= 1.3x plain build",
            f"N={int(key):,}",
            ratio,
            MEMORY_RATIO_LIMIT,
            _num(ratio, 2, "x"),
        )
    numbers = sorted(int(key) for key in sizes)
    if len(numbers) >= 2:
        small, big = numbers[0], numbers[-1]
        growth = _ratio(
            _get_path(sizes[str(big)], "full", "seconds"),
            _get_path(sizes[str(small)], "full", "seconds"),
        )
        scaled = None if growth is None else growth / (big / small)
        check(
            "full build time linear in N (time ratio <= 1.1x the N ratio)",
            f"N={small:,} -> {big:,}",
            scaled,
            LINEARITY_LIMIT,
            "—" if growth is None else f"{growth:.2f}x time for {big / small:g}x N = {scaled:.2f}",
        )
    else:
        check("full build time linear in N", "two sizes", None, LINEARITY_LIMIT, "—")
    rate = _get_path(results, "matcher", "mb_per_s")
    aliases = _get_path(results, "matcher", "aliases")
    check(
        "alias matching >= 50 MB/s with 3,000 aliases",
        f"{aliases or 0:,} aliases",
        None if rate is None else MATCHER_LIMIT_MB_S / rate,  # <= 1 passes
        1.0,
        _num(rate, 1, " MB/s"),
    )
    data = at_size(1000) or {}
    seconds = _get_path(data, "serve", "edit_to_visible_seconds")
    check(
        "mkdocs serve: edit visible <= 1 s",
        "N=1,000",
        seconds,
        SERVE_LIMIT_SECONDS,
        _num(seconds, 2, " s"),
    )
    for key, data in sizes.items():
        if "serve" in data:
            extra = _get_path(data, "serve", "rebuilds_after_visible")
            quiet = _get_path(data, "serve", "quiet_window_seconds")
            check(
                "mkdocs serve: no reload loop (no rebuild after the edit shows)",
                f"N={int(key):,}",
                extra,
                0,
                "—" if extra is None else f"{extra} rebuild(s) in {quiet:g} s",
            )
    data = at_size(10000) or {}
    payload = _get_path(data, "search", "bytes")
    check(
        "search: first query downloads <= 1 MB",
        "N=10,000",
        payload,
        SEARCH_LIMIT_BYTES,
        "—" if payload is None else f"{payload / MB:,.2f} MB",
    )
    return checks


def _rows(results: dict) -> list[tuple[str, list[str]]]:
    sizes = [results["sizes"][key] for key in sorted(results["sizes"], key=int)]

    def row(label: str, make: Callable[[dict], str]) -> tuple[str, list[str]]:
        cells = []
        for data in sizes:
            try:
                cells.append(make(data))
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                failed = any(isinstance(v, dict) and "error" in v for v in data.values())
                cells.append("ERROR" if failed else "—")
        return label, cells

    def stages(data: dict) -> str:
        return ", ".join(f"{k} {v:.2f}" for k, v in data["stage"]["timings"].items())

    def page_types(data: dict) -> str:
        types = data["stage"]["page_types"]
        return ", ".join(f"{k} {v['pages']:,} ({v['bytes'] / MB:.1f} MB)" for k, v in types.items())

    def share(data: dict) -> str:
        return f"{data['stage']['seconds'] / data['full']['seconds'] * 100:.1f}%"

    def floor(data: dict) -> str:
        got = data["floor"]
        return (
            f"read {got['read_seconds']:.2f}, front matter {got['front_matter_seconds']:.2f}, "
            f"alias pass {got['matching_seconds']:.2f}; {got['cpu_seconds']:.2f} in all"
        )

    def floor_share(data: dict) -> str:
        return f"{_floor_share(data) * 100:.1f}% ({data['floor']['cores']} cores)"

    def serve(key: str, digits: int = 2, unit: str = " s") -> Callable[[dict], str]:
        return lambda data: _num(data["serve"][key], digits, unit) if "serve" in data else "not run"

    rows = [
        row(
            "Dossier: articles / actors (aliases) / topics",
            lambda d: (
                f"{d['dossier']['articles']:,} / {d['dossier']['actors']:,} "
                f"({d['dossier']['aliases']:,}) / {d['dossier']['topics']:,}"
            ),
        ),
        row("Article files (MB)", lambda d: _num(d["dossier"]["article_bytes"] / MB, 1)),
        row("Generation stage, load → render (s)", lambda d: _num(d["stage"]["seconds"])),
        row("  per stage (s)", stages),
        row("  generated pages", page_types),
        row("  generation stage peak RSS (MB)", lambda d: _num(d["stage"]["peak_rss_mb"], 0)),
        row("Floor under it: bare libraries (s CPU)", floor),
        row(
            "Full dossier build (s wall; CPU)",
            lambda d: f"{d['full']['seconds']:.2f}; {d['full']['cpu_seconds']:.2f}",
        ),
        row("  pipeline inside the build", lambda d: d["full"]["pipeline_in_build"] or "—"),
        row(
            "  HTML pages / site size (MB) / warnings",
            lambda d: (
                f"{d['full']['html_files']:,} / {d['full']['site_mb']:,.0f} / "
                f"{d['full']['warnings']}"
            ),
        ),
        row(
            "Plain article-only build (s wall; CPU)",
            lambda d: f"{d['plain']['seconds']:.2f}; {d['plain']['cpu_seconds']:.2f}",
        ),
        row(
            "  HTML pages / site size (MB) / warnings",
            lambda d: (
                f"{d['plain']['html_files']:,} / {d['plain']['site_mb']:,.0f} / "
                f"{d['plain']['warnings']}"
            ),
        ),
        row(
            "Full / plain time",
            lambda d: _num(d["full"]["seconds"] / d["plain"]["seconds"], 2, "x"),
        ),
        row(
            "  same, CPU time",
            lambda d: _num(d["full"]["cpu_seconds"] / d["plain"]["cpu_seconds"], 2, "x"),
        ),
        row(
            "  CPU / wall, full; plain (100%: a core to itself)",
            lambda d: (
                f"{d['full']['cpu_seconds'] / d['full']['seconds']:.0%}; "
                f"{d['plain']['cpu_seconds'] / d['plain']['seconds']:.0%}"
            ),
        ),
        row("Generation stage / full build", share),
        row("  floor shared over every core / full build", floor_share),
        row("Full build peak RSS (MB)", lambda d: _num(d["full"]["peak_rss_mb"], 0)),
        row("Plain build peak RSS (MB)", lambda d: _num(d["plain"]["peak_rss_mb"], 0)),
        row(
            "Full / plain peak RSS",
            lambda d: _num(d["full"]["peak_rss_mb"] / d["plain"]["peak_rss_mb"], 2, "x"),
        ),
        row(
            "Search before first result, full site (MB; gzip)",
            lambda d: (
                f"{d['search']['bytes'] / MB:,.2f}; {d['search']['gzip_bytes'] / MB:,.2f}"
                f" ({d['search']['backend']})"
            ),
        ),
        row(
            "  same, plain site (MB; gzip)",
            lambda d: (
                f"{d['plain_search']['bytes'] / MB:,.2f}; "
                f"{d['plain_search']['gzip_bytes'] / MB:,.2f}"
            ),
        ),
        row("mkdocs serve: first page served after start (s)", serve("startup_seconds", 1, "")),
        row("mkdocs serve: edit → page shows it (s)", serve("edit_to_visible_seconds", 2, "")),
        row(
            "mkdocs serve: rebuilds for the edit / after it showed",
            lambda d: (
                f"{d['serve']['rebuilds_for_edit']} / {d['serve']['rebuilds_after_visible']} "
                f"(in {d['serve']['quiet_window_seconds']:g} s)"
                if "serve" in d
                else "not run"
            ),
        ),
    ]
    return rows


def _where_rows(results: dict) -> list[list[str]]:
    """From the instrumented builds: seconds per page type and per build phase."""
    sizes = [results["sizes"][key] for key in sorted(results["sizes"], key=int)]
    timed = [_get_path(data, "page_types") or {} for data in sizes]
    rows: list[list[str]] = []
    kinds = sorted({kind for data in timed for kind in data.get("types", {})})
    for kind in kinds:
        cells = []
        for data in timed:
            stats = data.get("types", {}).get(kind)
            if not stats:
                cells.append("—")
                continue
            total = stats["markdown"] + stats["template"] + stats["write"]
            cells.append(
                f"{total:.1f} s = md {stats['markdown']:.1f} + template {stats['template']:.1f}"
                f" + write {stats['write']:.1f} ({stats['pages']:,} pages)"
            )
        rows.append([f"{kind}", *cells])
    phases = list(dict.fromkeys(p for data in timed for p in data.get("phases", {})))
    for phase in phases:
        cells = [_num(data.get("phases", {}).get(phase), 1, " s") for data in timed]
        rows.append([f"phase: {phase}", *cells])
    if rows:
        rows.append(
            ["(instrumented build, total)", *[_num(d.get("seconds"), 1, " s") for d in timed]]
        )
    return rows


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )


def report(results: dict) -> str:
    keys = sorted(results["sizes"], key=int)
    headers = ["Measurement", *(f"N={int(key):,}" for key in keys)]
    measurements = [[label, *cells] for label, cells in _rows(results)]
    matcher = results.get("matcher") or {}
    if "mb_per_s" in matcher:
        text = (
            f"{matcher['mb_per_s']:.1f} MB/s over {matcher['text_mb']:.0f} MB, "
            f"{matcher['aliases']:,} aliases ({matcher['patterns']:,} patterns); bare automaton "
            f"{matcher.get('automaton_only_mb_per_s', 0):.0f} MB/s"
        )
    else:
        text = matcher.get("error", "not run")
    measurements.append(["Alias matching: Matcher.find", text, *[""] * (len(keys) - 1)])
    where = _where_rows(results)
    targets = [
        [check["target"], check["at"], check["shown"], check["status"]]
        for check in results["targets"]
    ]
    meta = results["meta"]
    lines = [
        f"Dossier benchmark, {meta['date']} — {meta['machine']}; Python {meta['python']}, "
        f"MkDocs {meta['mkdocs']}, Material {meta['material']}; commit {meta['commit'][:10]}"
        + (f"; sites built in {meta['sites']}" if meta.get("sites") else ""),
        "",
        _table(headers, measurements),
        "",
        _table(["Target", "At", "Measured", "Result"], targets),
        *(
            ["", _table(["Where the full build spends its time", *headers[1:]], where)]
            if where
            else []
        ),
        "",
        REFERENCE,
    ]
    busy = _busy(results)
    if busy:
        lines += [
            "",
            f"Below {BUSY_CPU_SHARE:.0%} CPU / wall time, these waited (for a CPU taken by "
            "other work, or for I/O): their wall times may be inflated; CPU times are less "
            "affected: " + ", ".join(busy),
        ]
    return "\n".join(lines)


def _busy(results: dict) -> list[str]:
    busy = []
    for key in sorted(results["sizes"], key=int):
        for what in ("stage", "full", "plain"):
            data = results["sizes"][key].get(what) or {}
            cpu, wall = data.get("cpu_seconds"), data.get("process_seconds", data.get("seconds"))
            if cpu and wall and cpu / wall < BUSY_CPU_SHARE:
                busy.append(f"{what} at N={int(key):,} ({cpu / wall:.0%})")
    return busy


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts (default 1000,10000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 30 articles, 20 actors")
    parser.add_argument("--skip-serve", action="store_true", help="no mkdocs serve measurement")
    parser.add_argument(
        "--serve-sizes", help="sizes to measure mkdocs serve at (default 1000, else the smallest)"
    )
    parser.add_argument("--serve-quiet", type=float, default=10.0, help="seconds to watch")
    parser.add_argument("--page-types", action="store_true", help="time per page type too")
    parser.add_argument("--profile", action="store_true", help="cProfile the generation stage")
    parser.add_argument("--actors", type=int, default=gen.DEFAULT_ACTORS)
    parser.add_argument("--topics", type=int, default=gen.DEFAULT_TOPICS)
    parser.add_argument("--aliases", type=int, default=3000, help="aliases for the matcher test")
    parser.add_argument("--matcher-mb", type=float, default=50.0, help="MB of text to match")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="results file (default bench/results/...)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--sites",
        type=Path,
        default=MEMORY_FOLDER if _writable(MEMORY_FOLDER) else None,
        help=f"where the built sites go (default {MEMORY_FOLDER} where there is one, else the "
        "temporary folder); see SITES below",
    )
    parser.add_argument(
        "--report", type=Path, metavar="JSON", help="only print the table of a saved results file"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "30"
        args.actors, args.topics = 20, 8
        args.matcher_mb = min(args.matcher_mb, 2.0)
        args.serve_quiet = min(args.serve_quiet, 2.0)
    args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if args.skip_serve:
        args.serve_sizes = []
    elif args.serve_sizes:
        args.serve_sizes = [int(s) for s in args.serve_sizes.split(",") if s.strip()]
    else:
        args.serve_sizes = [1000] if 1000 in args.sizes else args.sizes[:1]
    if args.json is None:
        args.json = RESULTS / ("quick.json" if args.quick else "latest.json")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_stage":
        return child_stage(*argv[1:3])
    if argv and argv[0] == "_floor":
        return child_floor(*argv[1:3])
    if argv and argv[0] == "_profile":
        return child_profile(*argv[1:3])
    if argv and argv[0] == "_matcher":
        return child_matcher(int(argv[1]), float(argv[2]), int(argv[3]), argv[4])
    args = parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text())
        saved["targets"] = evaluate(saved)
        print(report(saved))
        return 0
    root = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    args.sites_root = root
    if args.sites is not None:
        args.sites_root = Path(tempfile.mkdtemp(prefix="dossier-bench-sites-", dir=args.sites))
    errors: list[str] = []
    results: dict = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "python": platform.python_version(),
            "mkdocs": _version("mkdocs"),
            "material": _version("mkdocs-material"),
            "commit": _commit(),
            "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "note": "one run per figure; peak RSS is ru_maxrss of the measured process",
            "sites": str(args.sites or "the temporary folder"),
        },
        "sizes": {},
    }
    try:
        for n in args.sizes:
            results["sizes"][str(n)] = run_size(n, args, root, errors)
        print("[matcher] alias matching throughput", flush=True)
        _attempt(
            results,
            "matcher",
            errors,
            lambda: measure_matcher(root, args.aliases, args.matcher_mb, args.seed),
        )
    finally:
        if args.keep:
            print(f"kept {root}" + (f" and {args.sites_root}" if args.sites else ""))
        else:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(args.sites_root, ignore_errors=True)
    results["targets"] = evaluate(results)
    results["errors"] = errors
    text = report(results)
    results["table"] = text
    print()
    print(text)
    for data in results["sizes"].values():
        if "profile" in data:
            print(f"\ncProfile of the generation stage at N={data['n']:,} (cumulative):\n")
            print(data["profile"])
    if errors:
        print("\nMeasurements that failed:\n- " + "\n- ".join(errors), file=sys.stderr)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"\nresults written to {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
