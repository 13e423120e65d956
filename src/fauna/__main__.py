"""``python -m fauna``: the ``fauna`` command-line tool (``fauna.cli``)."""

import sys

from fauna.cli import main

sys.exit(main())
