"""`python -m checklists` runs the command line."""

import sys

from checklists.cli import main

sys.exit(main())
