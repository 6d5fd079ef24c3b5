"""python -m lib.demo: kept as an alias of python -m lib demo."""

import sys

from lib.demo import main

if __name__ == "__main__":
    sys.exit(main())
