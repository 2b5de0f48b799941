"""Run ``mqexam ARGS...`` as an unprivileged user, for permission tests run as root.

Root reads files whatever their mode, so ``chmod 000`` proves nothing under root.
This helper, started as root, first runs ``mqexam bank check WARMUP`` once (so every
module mqexam imports lazily is loaded while the interpreter, under /root, can still
be read), then drops to ``nobody`` and runs the real command line with ARGS, which
exits with its own code and prints on the real stdout and stderr.

Usage: run_unprivileged.py WARMUP_BANK ARGS...
"""

from __future__ import annotations

import os
import sys

from click.testing import CliRunner

from mqexam.cli import main

NOBODY = 65534

if __name__ == "__main__":
    warmup, args = sys.argv[1], sys.argv[2:]
    CliRunner().invoke(main, ["bank", "check", warmup])
    CliRunner().invoke(main, ["bank", "check", "--json", warmup])
    try:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    except PermissionError:
        print("cannot drop privileges", file=sys.stderr)
        sys.exit(77)
    main(args=args, prog_name="mqexam")
