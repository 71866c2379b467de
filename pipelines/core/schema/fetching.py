"""The fetch API of query expressions: DataJoint 2.x methods plus the legacy ``fetch()``."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..db.fetch import fetch_rows, iterate_rows, to_structured
from ..errors import DataJointError
from ..query.nodes import Limit, Node
from ..query.top import Top
from .preview import preview_html, preview_text

if TYPE_CHECKING:
    from ..db.connection import Connection
    from ..query.heading import Heading
    from ..sql.compiler import Compiler


class FetchMixin:
    """Row-returning methods; the host class provides ``node``, ``heading`` and ``connection``."""

    if TYPE_CHECKING:

        @property
        def node(self) -> Node: ...
        @property
        def heading(self) -> Heading: ...
        @property
        def connection(self) -> Connection: ...
        def __and__(self, restriction: Any) -> Any: ...

        def compiler(self) -> Compiler: ...
        def proj(self, *attributes: Any, **named: str) -> Any: ...

    # --- plumbing --------------------------------------------------------------------------------
    def _ordered_node(
        self, order_by: Any = None, limit: int | None = None, offset: int | None = None
    ) -> Node:
        if order_by is None and limit is None and not offset:
            return self.node
        top = Top(limit=limit, order_by=order_by, offset=offset or 0)
        return Limit(self.node, top, self.node.heading)

    def _rows(self, node: Node) -> list[tuple[Any, ...]]:
        sql, params = self.compiler().sql(node)
        return fetch_rows(self.connection, sql, params, node.heading, node.heading.names)

    # --- DataJoint 2.x fetch API ---------------------------------------------------------------
    def to_dicts(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> list[dict[str, Any]]:
        node = self._ordered_node(order_by, limit, offset)
        names = node.heading.names
        rows = self._rows(node)
        result = [dict(zip(names, row, strict=True)) for row in rows]
        return [_squeezed(r) for r in result] if squeeze else result

    def to_pandas(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> pd.DataFrame:
        node = self._ordered_node(order_by, limit, offset)
        rows = self._rows(node)
        if not rows:
            return pd.DataFrame()
        frame = pd.DataFrame.from_records(rows, columns=node.heading.names)
        key = node.heading.primary_key
        return frame.set_index(key) if key else frame

    def to_polars(
        self, order_by: Any = None, limit: int | None = None, offset: int | None = None
    ) -> Any:
        """A polars DataFrame (polars is optional: ``pip install polars``)."""
        polars = _optional("polars")
        return polars.DataFrame(self.to_dicts(order_by, limit, offset))

    def to_arrow(
        self, order_by: Any = None, limit: int | None = None, offset: int | None = None
    ) -> Any:
        """A pyarrow Table (pyarrow is optional: ``pip install pyarrow``)."""
        pyarrow = _optional("pyarrow")
        rows = self.to_dicts(order_by, limit, offset)
        return pyarrow.Table.from_pylist(rows) if rows else pyarrow.table({})

    def to_arrays(
        self,
        *attributes: str,
        include_key: bool = False,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> Any:
        if not attributes:
            node = self._ordered_node(order_by, limit, offset)
            return to_structured(self._rows(node), node.heading, node.heading.names)
        for name in attributes:
            if name not in self.heading.names:
                raise DataJointError(f"Attribute `{name}` not found.")
        projected = self.proj(*[a for a in attributes if a not in self.heading.primary_key])
        node = projected._ordered_node(order_by, limit, offset)
        dicts = [dict(zip(node.heading.names, r, strict=True)) for r in projected._rows(node)]
        arrays = tuple(_array([d[a] for d in dicts]) for a in attributes)
        result: Any = arrays[0] if len(arrays) == 1 else arrays
        if include_key:
            keys = [{k: d[k] for k in node.heading.primary_key} for d in dicts]
            return (keys, *arrays)
        return result

    def keys(
        self, order_by: Any = None, limit: int | None = None, offset: int | None = None
    ) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.proj().to_dicts(order_by, limit, offset)
        return result

    def fetch1(self, *attributes: str, squeeze: bool = False) -> Any:
        if not attributes:
            rows = self.to_dicts()
            if len(rows) != 1:
                raise DataJointError("fetch1 requires exactly one tuple in the input set.")
            return _squeezed(rows[0]) if squeeze else rows[0]
        names = [a for a in attributes if a != "KEY"]
        for name in names:
            if name not in self.heading.names:
                raise DataJointError(f"Attribute `{name}` not found.")
        rows = self.proj(*[n for n in names if n not in self.heading.primary_key]).to_dicts()
        if len(rows) != 1:
            raise DataJointError(f"fetch1 should only return one tuple. {len(rows)} tuples found")
        row = rows[0]
        key = {k: row[k] for k in self.heading.primary_key}
        values = [key if a == "KEY" else row[a] for a in attributes]
        return values[0] if len(values) == 1 else tuple(values)

    def head(self, limit: int = 25) -> list[dict[str, Any]]:
        return self.to_dicts(order_by="KEY", limit=limit)

    def tail(self, limit: int = 25) -> list[dict[str, Any]]:
        return list(reversed(self.to_dicts(order_by="KEY DESC", limit=limit)))

    def fetch(
        self,
        *attributes: str,
        offset: int | None = None,
        limit: int | None = None,
        order_by: Any = None,
        format: str | None = None,
        as_dict: bool | None = None,
        squeeze: bool = False,
    ) -> Any:
        """The legacy fetch: structured array by default, dicts, a frame, or attribute arrays."""
        warnings.warn(
            "fetch() is deprecated; use to_dicts(), to_pandas(), to_arrays() or keys().",
            DeprecationWarning,
            stacklevel=2,
        )
        if format == "frame":
            if attributes or as_dict:
                raise DataJointError("format='frame' cannot be combined with attributes or as_dict")
            return self.to_pandas(order_by, limit, offset)
        if attributes == ("KEY",):
            return self.keys(order_by, limit, offset)
        if attributes:
            return self._fetch_attributes(attributes, as_dict, order_by, limit, offset)
        if as_dict:
            return self.to_dicts(order_by, limit, offset, squeeze)
        return self.to_arrays(order_by=order_by, limit=limit, offset=offset)

    def _fetch_attributes(
        self,
        attributes: Sequence[str],
        as_dict: bool | None,
        order_by: Any,
        limit: int | None,
        offset: int | None,
    ) -> Any:
        names = [a for a in attributes if a != "KEY"]
        if as_dict:
            return self.proj(*[n for n in names if n not in self.heading.primary_key]).to_dicts(
                order_by, limit, offset
            )
        projected = self.proj(*[n for n in names if n not in self.heading.primary_key])
        dicts = projected.to_dicts(order_by, limit, offset)
        key = self.heading.primary_key
        columns = [
            [{k: d[k] for k in key} for d in dicts] if a == "KEY" else _array([d[a] for d in dicts])
            for a in attributes
        ]
        return columns[0] if len(columns) == 1 else tuple(columns)

    # --- Python protocol ---------------------------------------------------------------------------
    def __len__(self) -> int:
        sql, params = self.compiler().count(self.node)
        return int(self.connection.query(sql, params).fetchone()[0])

    def __bool__(self) -> bool:
        sql, params = self.compiler().exists(self.node)
        return bool(self.connection.query(sql, params).fetchone()[0])

    def __contains__(self, item: Any) -> bool:
        restricted: Any = self & item
        return bool(restricted)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        sql, params = self.compiler().sql(self.node)
        names = self.heading.names
        return iterate_rows(self.connection, sql, params, self.heading, names)

    def cursor(self, as_dict: bool = False) -> Any:
        sql, params = self.compiler().sql(self.node)
        return self.connection.query(sql, params)

    def __repr__(self) -> str:
        return preview_text(self)

    def _repr_html_(self) -> str:
        return preview_html(self)


def _array(values: list[Any]) -> Any:
    try:
        return np.array(values)
    except ValueError:
        result = np.empty(len(values), dtype=object)
        result[:] = values
        return result


def _squeezed(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.squeeze() if isinstance(v, np.ndarray) else v) for k, v in row.items()}


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"This needs the optional package {module}: pip install {module}"
        ) from None
