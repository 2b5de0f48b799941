"""Start an attempt on the mini bank, answer two items, flag one, then wait to be killed."""

import json
import sys
import time
from pathlib import Path

from mqexam.bank.loader import load_bank
from mqexam.clock import now
from mqexam.sitting import Sitting
from mqexam.store.db import Store

banks, db = Path(sys.argv[1]), Path(sys.argv[2])
module = load_bank(banks).module("mini")
assert module is not None
store = Store(db)
sitting, code = Sitting.start(store, module, context="DK", locale="en", learner_id="L-42",
                              now=now(), seed=5)
answers = {}
for item in sitting.form.items:
    if item.type in ("text", "single") and len(answers) < 2:
        value = "112" if item.type == "text" else item.options[0].id
        sitting.answer(item.id, value, now())
        answers[item.id] = value
flagged = sitting.form.items[-1].id
sitting.flag(flagged, True, now())
current = sitting.form.items[2].id
sitting.show(current, now())
print(json.dumps({"learner": "L-42", "code": code, "answers": answers, "flags": [flagged],
                  "current": current}), flush=True)
time.sleep(60)
