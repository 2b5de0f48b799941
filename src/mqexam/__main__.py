"""``python -m mqexam``: the same as the ``mqexam`` command."""

from mqexam.cli import main

main()
