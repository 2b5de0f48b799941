"""Time from a cold process start to the first exam item on screen, beside a bare Textual app.

Each run is a fresh interpreter (imports included), headless, 80x24. Ours: the learner app
on the showcase bank, driven straight to its first item (``mqexam exam`` path: name, Enter,
Start). The floor: a bare Textual app with one Static widget, started the same way.
Also: the peak memory (max RSS) of each, and the key-to-'saved' latency of an answer.

    .venv/bin/python benchmarks/bench_app_start.py [runs]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = textwrap.dedent("""
    import asyncio, json, resource, sys, time
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("Question 1 of 20")

    async def main():
        app = Bare()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            print(json.dumps({"ready": time.time(),
                              "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    asyncio.run(main())
""")

OURS = textwrap.dedent("""
    import asyncio, json, resource, sys, time
    from pathlib import Path
    from mqexam.tui.app import LearnerApp
    from mqexam.tui.exam_screen import ExamScreen

    async def main():
        app = LearnerApp(Path(sys.argv[1]), Path(sys.argv[2]), module="welding-centre-safety",
                         context="DK", language="en", learner="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("B", "enter")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ExamScreen), app.screen
            ready = time.time()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            # key -> 'saved': answer the first item (if it is answerable) and time the commit
            item = app.sitting.form.items[0]
            start = time.perf_counter()
            if item.type == "text":
                await pilot.press("1", "enter")
            elif item.type != "practical":
                await pilot.press("space", "enter")
            await pilot.pause()
            saved_ms = (time.perf_counter() - start) * 1000
            status = str(app.screen.query_one("#status").render())
            print(json.dumps({"ready": ready, "rss_kb": rss, "saved_ms": saved_ms,
                              "saved": "Saved" in status, "type": item.type}))
    asyncio.run(main())
""")


def run(script: str, *args: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["seconds"] = data["ready"] - started
    return data


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    banks = ROOT / "banks"
    bare, ours = [], []
    with tempfile.TemporaryDirectory() as tmp:
        run(OURS, str(banks), str(Path(tmp) / "warm.db"))  # warm the bank cache once
        for index in range(runs):
            bare.append(run(BARE))
            ours.append(run(OURS, str(banks), str(Path(tmp) / f"r{index}.db")))
    floor = statistics.median(r["seconds"] for r in bare)
    ours_s = statistics.median(r["seconds"] for r in ours)
    print(f"runs: {runs} each, fresh interpreter, headless 80x24")
    print(f"bare Textual app, one Static (floor): {floor * 1000:7.0f} ms  "
          f"peak RSS {max(r['rss_kb'] for r in bare) / 1024:5.1f} MB")
    print(f"mqexam, first showcase item on screen: {ours_s * 1000:7.0f} ms  "
          f"peak RSS {max(r['rss_kb'] for r in ours) / 1024:5.1f} MB")
    print(f"ratio: {ours_s / floor:.2f} (goal <= 1.5; memory goal < 80 MB)")
    saved = [r["saved_ms"] for r in ours if r.get("saved")]
    if saved:
        print(f"key to 'saved' (median of {len(saved)}): {statistics.median(saved):.1f} ms "
              "(goal < 50 ms)")


if __name__ == "__main__":
    main()
