"""``python -m civmap``: the operators' command line."""

import sys

from civmap.cli import main

sys.exit(main())
