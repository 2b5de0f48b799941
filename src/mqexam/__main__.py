"""``python -m mqexam``: the same command as the ``mqexam`` console script."""

from mqexam.cli import main

if __name__ == "__main__":
    main(prog_name="mqexam")
