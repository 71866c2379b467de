"""``python -m pipelines.demo``: declare the demo schema and load its sample subjects and sessions.

python -m pipelines.demo --database-url sqlite:///demo.sqlite3
joinery populate pipelines.demo.pipeline:Recording --database-url sqlite:///demo.sqlite3
joinery populate pipelines.demo.pipeline:SpikeRate --database-url sqlite:///demo.sqlite3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pipelines.core as dj

from . import pipeline


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.demo", description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: dj.config / DJ_DATABASE_URL")
    parser.add_argument("--schema", default="demo", help="schema name (default: demo)")
    args = parser.parse_args(argv)
    connection = (
        dj.Connection(url=args.database_url, config=dj.config) if args.database_url else dj.conn()
    )
    pipeline.load_sample_data(connection, args.schema)
    print(
        f"schema {args.schema!r}: {len(pipeline.Subject())} subjects, "
        f"{len(pipeline.Session())} sessions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
