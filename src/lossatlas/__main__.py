"""``python -m lossatlas``: the same command line as the ``lossatlas`` script."""

import sys

from lossatlas.cli import main

if __name__ == "__main__":
    sys.exit(main())
