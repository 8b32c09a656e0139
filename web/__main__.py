"""`python -m web serve [--host --port --workers]` (see `web.cli`)."""

import sys

from .cli import main

sys.exit(main())
