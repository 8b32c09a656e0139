"""`python -m verify.cli ...`: the `verify` console script (`verify.cli.main`)."""

import sys

from . import main

sys.exit(main())
