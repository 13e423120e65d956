"""``python -m faunalite serve ...``: the same as the ``faunalite`` command."""

import sys

from faunalite.cli import main

sys.exit(main())
