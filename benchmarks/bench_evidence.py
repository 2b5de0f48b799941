"""How fast evidence bundles export and verify, against the floor of zipfile alone.

Run: ``.venv/bin/python benchmarks/bench_evidence.py`` (``--bundles 50`` for a quick run).

Generates, in a temporary folder, a results database of N signed attempts on the
showcase module (20 items each, DE context, read in Danish, answers drawn at
random from each item's options and keys, practical items graded, every attempt
signed by an assessor), then, in one run:

* export: ``export_bundle`` for each attempt (read the store, rescore, render
  report.html in German with both languages side by side, credential, README,
  seal, sign, deflate) and write the zip to disk;
* floor: ``zipfile`` alone writing the very same files to disk (deflate level 9),
  timed beside each export;
* verify: ``verify_path`` on every bundle with the issuer's fingerprint (read the
  zip safely, every hash, the signature, the origin, the bank version, each
  attempt's chain and rescore, the credential); the bank version is loaded once
  per process and reused by content hash, as a batch verify does;
* read floor: ``zipfile`` alone reading every entry of every bundle.

and prints bundles per second for each, with export and verify as a ratio to the
zipfile write floor. The database is generated with ``synchronous=OFF`` (setup
only; it is not what is measured).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mqexam.bank.loader import load_bank  # noqa: E402
from mqexam.bank.model import Module  # noqa: E402
from mqexam.evidence.bundle import COMPRESS_LEVEL  # noqa: E402
from mqexam.evidence.export import export_bundle  # noqa: E402
from mqexam.evidence.keys import init_keys  # noqa: E402
from mqexam.evidence.verify import verify_path  # noqa: E402
from mqexam.exam.attempt import format_time  # noqa: E402
from mqexam.exam.form import FormItem, build_form, form_manifest  # noqa: E402
from mqexam.exam.scoring import score_form  # noqa: E402
from mqexam.store.db import Store  # noqa: E402

MODULE = "welding-centre-safety"
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ISSUED = date(2027, 1, 15)


def _answer(item: FormItem, rng: random.Random) -> Any:
    """Right about two times in three; otherwise a plausible wrong answer."""
    ids = [c.id for c in item.options]
    right = rng.random() < 0.67
    if item.type == "single":
        return item.key if right else rng.choice(ids)
    if item.type == "multiple":
        return list(item.key) if right else rng.sample(ids, rng.randint(1, len(ids)))
    if item.type == "order":
        steps = list(item.key)
        if not right:
            rng.shuffle(steps)
        return steps
    if item.type == "text":
        return item.key[0] if right else str(rng.randint(100, 999))
    if item.type == "match":
        pairs = dict(item.key)
        if not right and len(pairs) > 1:
            values = list(pairs.values())
            rng.shuffle(values)
            pairs = dict(zip(pairs, values, strict=True))
        return pairs
    return None


def generate(store: Store, module: Module, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    store.conn.execute("PRAGMA synchronous = OFF")
    ids = []
    for n in range(count):
        attempt_id = f"B{n:05d}-BENCH"
        learner = f"L{n:05d}"
        now = START + timedelta(minutes=7 * n)
        form = build_form(module, "DE", "da", rng.randrange(2**40))
        payload = {
            "learner": learner, "module": module.id, "version": module.version,
            "content_hash": module.content_hash, "context": "DE", "locale": "da",
            "kind": "full", "seed": form.seed,
            "deadline": format_time(now + timedelta(seconds=form.time_limit_seconds)),
            "time_limit_seconds": form.time_limit_seconds, "form": form_manifest(form),
            "builds_on": [],
        }
        store.ensure_learner(learner, format_time(now), name=f"Learner {n}")
        store.start_attempt(attempt_id, learner, payload, format_time(now))
        answers: dict[str, Any] = {}
        moment = now
        for item in form.items:
            answer = _answer(item, rng)
            if answer is None:
                continue
            answers[item.id] = answer
            moment += timedelta(seconds=40)
            store.append(attempt_id, "answered", {"item": item.id, "answer": answer},
                         format_time(moment))
        store.append(attempt_id, "submitted", {}, format_time(moment + timedelta(seconds=5)))
        grades: dict[str, dict[str, bool]] = {}
        for item in form.items:
            if item.type == "practical":
                criteria = {cid: rng.random() < 0.9 for cid, _text, _req in item.criteria}
                grades[item.id] = criteria
                store.append(attempt_id, "graded", {
                    "item": item.id, "criteria": criteria, "comment": "observed",
                    "assessor": "Bench Assessor"}, format_time(moment + timedelta(hours=1)))
        passed = score_form(form, answers, grades).passed
        decision = "competent" if passed else "not_yet_competent"
        store.append(attempt_id, "signed", {
            "decision": decision, "outcomes": {}, "reason": "benchmark",
            "supervision": "supervised_on_site", "identity_checked": True,
            "assessor": "Bench Assessor"}, format_time(moment + timedelta(hours=2)))
        ids.append(attempt_id)
    return ids


def floor_write(files: dict[str, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        for name in sorted(files):
            z.writestr(name, files[name])


def floor_read(path: Path) -> int:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            total += len(archive.read(info))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundles", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lang", default="de", help="report language (default de)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mqexam-bench-evidence-") as tmp:
        root = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        module = load_bank(ROOT / "banks", use_cache=False).module(MODULE)
        assert module is not None
        key = init_keys(root / "keys", module.meta.awarding_body, "2026-12-01")
        t0 = time.perf_counter()
        with Store(root / "results.db") as store:
            ids = generate(store, module, args.bundles, args.seed)
        print(f"generated {len(ids)} signed attempts in {time.perf_counter() - t0:.1f} s "
              f"({MODULE}, {len(module.items)} items in the bank, 20 per form)")
        out = root / "bundles"
        out.mkdir()
        floors = root / "floor"
        floors.mkdir()

        export_time = floor_time = 0.0
        sizes = 0
        paths = []
        with Store(root / "results.db") as store:
            for attempt_id in ids:
                path = out / f"{attempt_id}.zip"
                start = time.perf_counter()
                bundle = export_bundle(store, [module], [attempt_id], key=key, issued=ISSUED,
                                       language=args.lang)
                path.write_bytes(bundle.data)
                middle = time.perf_counter()
                floor_write(bundle.files, floors / path.name)
                end = time.perf_counter()
                export_time += middle - start
                floor_time += end - middle
                sizes += len(bundle.data)
                paths.append(path)

        start = time.perf_counter()
        for path in paths:
            result = verify_path(path, fingerprint_hex=key.fingerprint)
            if not result.valid:
                raise SystemExit(f"{path}: {[p.render() for p in result.problems]}")
        verify_time = time.perf_counter() - start

        start = time.perf_counter()
        for path in paths:
            floor_read(path)
        read_time = time.perf_counter() - start

    n = len(paths)

    def row(name: str, seconds: float, ratio: str) -> None:
        print(f"  {name:<32} {seconds:8.2f} s  {n / seconds:9.1f} bundles/s  {ratio}")

    print(f"{n} bundles, {sizes / n / 1024:.0f} KiB each on average, report in {args.lang}:")
    row("export (build, sign, zip, write)", export_time,
        f"{export_time / floor_time:5.1f}x the zipfile write floor")
    row("zipfile write, same files (floor)", floor_time, "  1.0x")
    row("verify (with --fingerprint)", verify_time,
        f"{verify_time / floor_time:5.1f}x the zipfile write floor, "
        f"{verify_time / read_time:.1f}x the read floor")
    row("zipfile read, every entry", read_time, f"{read_time / floor_time:5.1f}x")


if __name__ == "__main__":
    main()
