"""``python -m pipelines.core populate module:Table …``: the same as the ``joinery`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
