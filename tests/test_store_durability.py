"""No acknowledged answer is ever lost: SIGKILL a writer at random moments, many times.

A separate process records answers and prints each one only after the store
returned (the moment the screen says "saved"). The test kills it at a random
moment, reopens the same database and checks that every acknowledged event is
there with the same hash and that every chain verifies. Rounds share attempts
(an attempt keeps growing across kills) and start a new one every few rounds,
so kills also land while a database or an attempt is being created.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.storekit import stored
from mqexam.store.db import Store

HELPERS = Path(__file__).parent / "helpers"
ROUNDS = 25


def acknowledged(out: Path) -> dict[tuple[str, int], str]:
    """Complete ``ATTEMPT SEQ HASH`` lines (a line cut by the kill was never acknowledged)."""
    acks: dict[tuple[str, int], str] = {}
    for line in out.read_text().splitlines(keepends=True):
        if line.endswith("\n"):
            attempt_id, seq, digest = line.split()
            acks[(attempt_id, int(seq))] = digest
    return acks


def wait_for_output(out: Path, proc: subprocess.Popen[bytes], limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while out.stat().st_size == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_answer(tmp_path: Path) -> None:
    db = tmp_path / "results" / "mqexam.db"
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    acked: dict[tuple[str, int], str] = {}
    killed_while_writing = 0
    for round_no in range(ROUNDS):
        out = tmp_path / f"round-{round_no}.out"
        with out.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, str(HELPERS / "answer_writer.py"), str(db),
                 f"A{round_no // 5}"],
                stdout=sink, stderr=subprocess.PIPE, cwd=HELPERS)
            if round_no % 2:
                # Kill while answers are being written...
                wait_for_output(out, proc)
                time.sleep(rng.uniform(0.0, 0.12))
            else:
                # ...or at any moment from start-up on (opening, migrating, starting).
                time.sleep(rng.uniform(0.05, 0.4))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, (
            f"round {round_no} (seed {seed}): the writer ended by itself:\n{err.decode()}")
        fresh = acknowledged(out)
        killed_while_writing += bool(fresh)
        acked.update(fresh)

        stored_events = stored(db) if db.exists() else {}
        lost = {key: digest for key, digest in acked.items() if stored_events.get(key) != digest}
        assert not lost, f"round {round_no} (seed {seed}): acknowledged but not stored: {lost}"
        with Store(db) as store:
            assert store.verify() == [], f"round {round_no} (seed {seed})"

    # The test only proves something if the kills really interrupted a writer at work.
    assert killed_while_writing >= ROUNDS // 3, f"seed {seed}"
