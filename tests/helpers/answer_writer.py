"""Record answers into one attempt until killed; acknowledge each one on stdout.

Usage: answer_writer.py DB ATTEMPT. Opens the store (creating the database and
the attempt when missing, continuing the attempt when it is there) and appends
``answered`` events in a loop. A line ``ATTEMPT SEQ HASH`` is printed (and
flushed) only after ``Store.append`` (or ``start_attempt``) has returned: that
line is the acknowledgement the screen would show as "saved".
"""

import sys
from pathlib import Path

from storekit import AT, start_payload

from mqexam.store.db import Store

db, attempt_id = Path(sys.argv[1]), sys.argv[2]
store = Store(db)
if store.attempt(attempt_id) is None:
    store.ensure_learner("L1", AT)
    started = store.start_attempt(attempt_id, "L1", start_payload("L1"), AT)
    print(f"{attempt_id} {started.seq} {started.hash}", flush=True)
n = 0
while True:
    event = store.append(attempt_id, "answered", {"item": f"q{n % 7}", "answer": f"answer {n}"},
                         AT)
    print(f"{attempt_id} {event.seq} {event.hash}", flush=True)
    n += 1
