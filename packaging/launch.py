"""Entry script of the frozen program: the same main() as `python -m viewer` and `customer-viewer`."""

import sys

from viewer.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
