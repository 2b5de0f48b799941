"""Run the learner app on the mini bank (used under a pseudo-terminal by the signal test)."""

import sys
from pathlib import Path

from mqexam.tui.app import LearnerApp

app = LearnerApp(Path(sys.argv[1]), Path(sys.argv[2]))
app.run()
sys.exit(app.return_code or 0)
