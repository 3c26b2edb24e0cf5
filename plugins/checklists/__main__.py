"""`python -m checklists` runs the command line."""

import sys

from checklists.cli.main import main

sys.exit(main())
