"""Regenerate the README's pipeline diagram: ``.venv/bin/python docs/make_figures.py``.

Declares a small lab pipeline on a throw-away SQLite file and saves its ``dj.Diagram`` as SVG.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pipelines.core as dj


def declare(schema: dj.Schema) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32          # lab animal number
        ---
        species : enum('mouse', 'rat')
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [("A",), ("B",)]

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_idx : int16
        ---
        -> Rig
        -> [nullable] Rig.proj(backup_rig='rig')
        session_date : date
        """

    @schema
    class Recording(dj.Imported):
        definition = """
        -> Session
        ---
        trace : <blob>
        """

    @schema
    class Spikes(dj.Computed):
        definition = """
        -> Recording
        ---
        count : int32
        """

        class Unit(dj.Part):
            definition = """
            -> master
            unit : int16
            ---
            rate : float32
            """


def main() -> None:
    target = Path(__file__).resolve().parent / "pipeline.svg"
    with tempfile.TemporaryDirectory() as folder:
        conn = dj.Connection(url=f"sqlite:///{folder}/lab.sqlite3")
        schema = dj.Schema("lab", connection=conn)
        declare(schema)
        dj.Diagram(schema).save(str(target))
        conn.close()
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
