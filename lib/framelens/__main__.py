"""``python -m framelens ...`` — same as the ``framelens`` command."""

from framelens.run.cli import entry

if __name__ == "__main__":
    entry()
