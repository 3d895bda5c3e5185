"""`python -m cutover.images ...`: what scripts/setup.sh runs."""

import sys

from cutover.images.cli import main

sys.exit(main())
