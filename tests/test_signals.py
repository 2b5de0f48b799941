"""SIGTERM and SIGHUP end the app cleanly: the terminal gets echo and canonical mode back."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

HELPER = Path(__file__).parent / "helpers" / "pty_app.py"


def read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end and needle not in seen:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_the_terminal(sig: signal.Signals, tmp_path: Path,
                                      mini_banks: Path) -> None:
    leader, follower = pty.openpty()
    os.set_blocking(leader, False)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    process = subprocess.Popen(
        [sys.executable, str(HELPER), str(mini_banks), str(tmp_path / "r.db")],
        stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True)
    try:
        output = read_until(leader, b"English", timeout=20)
        assert b"English" in output, output[-500:]
        attrs = termios.tcgetattr(follower)
        assert not attrs[3] & termios.ICANON  # the app put the terminal in raw mode
        process.send_signal(sig)
        process.wait(timeout=15)
        read_until(leader, b"\x1b[?1049l", timeout=2)
        lflag = termios.tcgetattr(follower)[3]
        assert lflag & termios.ECHO, "echo not restored"
        assert lflag & termios.ICANON, "canonical mode not restored"
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
        os.close(follower)
