"""Time from a cold process start to the first exam item on screen, beside a bare Textual app.

Each run is a fresh interpreter (imports included), headless, 80x24. Ours: the learner app
on the showcase bank, driven straight to its first item (``mqexam exam`` path: name, Enter,
Start). The floor: a bare Textual app with one Static widget, started the same way.
Also: the peak memory (max RSS) of each, and the key-to-'saved' latency of an answer.

    .venv/bin/python benchmarks/bench_app_start.py [runs]
"""

from __future__ import annotations

import json
import os
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
            yield Static("Question 1 of 20", id="stem")

    async def main():
        app = Bare()
        async with app.run_test(size=(80, 24)):
            while not (app.screen.query("#stem") and app.screen.query_one("#stem").region):
                await asyncio.sleep(0.002)
            print(json.dumps({"ready": time.time(),
                              "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    asyncio.run(main())
""")

OURS = textwrap.dedent("""
    import asyncio, json, resource, sys, time
    from pathlib import Path
    from mqexam.tui.app import LearnerApp
    from mqexam.tui.items import AnswerChanged
    from mqexam.tui.exam_screen import ExamScreen
    from mqexam.tui.start import SummaryScreen

    class Bench(LearnerApp):
        # The same calls the identification and summary screens make on Enter and Start.
        def on_mount(self):
            super().on_mount()
            self.call_after_refresh(self.go)

        def go(self):
            self.identify(sys.argv[3], "Bench Learner")

    saved_at = []
    original = ExamScreen.set_status
    def set_status(self, text, error=False):
        original(self, text, error)
        if "Saved" in text:
            saved_at.append(time.perf_counter())
    ExamScreen.set_status = set_status

    def on_screen(app):
        screen = app.screen
        return (isinstance(screen, ExamScreen) and screen.query("#answer-area")
                and screen.query_one("#answer-area").children
                and screen.query_one("#stem").region)

    async def main():
        app = Bench(Path(sys.argv[1]), Path(sys.argv[2]), module="welding-centre-safety",
                    context="DK", language="en", learner="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            while not (isinstance(app.screen, SummaryScreen) and app.screen.query("#start")):
                await asyncio.sleep(0.002)
            app.start_attempt()
            while not on_screen(app):
                await asyncio.sleep(0.002)
            ready = time.time()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            # answer -> 'saved': from the widget's AnswerChanged message to the status line
            # saying saved (dispatch, the durable commit, the fold and the screen update)
            times = []
            for index, item in enumerate(app.sitting.form.items):
                if item.type not in ("single", "text"):
                    continue
                answer = item.key if item.type == "single" else item.key[0]
                for attempt in range(3):
                    saved_at.clear()
                    start = time.perf_counter()
                    app.screen.post_message(AnswerChanged(item.id, answer))
                    while not saved_at and time.perf_counter() - start < 5:
                        await asyncio.sleep(0.0002)
                    if not saved_at:
                        status = str(app.screen.query_one("#status").render())
                        raise SystemExit(f"not saved: {item.id}: {status}")
                    times.append((saved_at[0] - start) * 1000)
            print(json.dumps({"ready": ready, "rss_kb": rss, "saved_ms": times}))
    asyncio.run(main())
""")


# An installed program has its bytecode cached; this workplace sets PYTHONDONTWRITEBYTECODE,
# which would make every start compile every module from source (for both apps).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(script: str, *args: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         cwd=ROOT, env=ENV)
    if out.returncode:
        raise SystemExit(f"benchmark run failed: {out.stderr.strip().splitlines()[-1:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["seconds"] = data["ready"] - started
    return data


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    banks = ROOT / "banks"
    bare, ours = [], []
    with tempfile.TemporaryDirectory() as tmp:
        run(BARE)  # write bytecode caches and the bank cache once, as an installed
        db = str(Path(tmp) / "results.db")  # a workstation's database, already created
        run(OURS, str(banks), db, "warm-up")  # program would have them
        for index in range(runs):
            bare.append(run(BARE))
            ours.append(run(OURS, str(banks), db, f"learner-{index}"))
    floor = statistics.median(r["seconds"] for r in bare)
    ours_s = statistics.median(r["seconds"] for r in ours)
    print(f"runs: {runs} each, fresh interpreter, headless 80x24")
    print(f"bare Textual app, one Static (floor): {floor * 1000:7.0f} ms  "
          f"peak RSS {max(r['rss_kb'] for r in bare) / 1024:5.1f} MB")
    print(f"mqexam, first showcase item on screen: {ours_s * 1000:7.0f} ms  "
          f"peak RSS {max(r['rss_kb'] for r in ours) / 1024:5.1f} MB")
    print(f"ratio: {ours_s / floor:.2f} (goal <= 1.5; memory goal < 80 MB)")
    saved = sorted(ms for r in ours for ms in r["saved_ms"])
    if saved:
        p95 = saved[int(0.95 * (len(saved) - 1))]
        median = statistics.median(saved)
        print(f"answer to 'saved' over {len(saved)} answers: median {median:.1f} ms,"
              f" p95 {p95:.1f} ms (goal < 50 ms; includes the durable commit)")


if __name__ == "__main__":
    main()
