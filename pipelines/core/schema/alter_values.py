"""Would a stored value survive a change of its attribute's type? (``alter``'s data-loss rule)

A type change is refused when some stored value cannot be kept exactly by the new type: an
integer out of range or with a fraction, a decimal with more digits than fit, a string that is
too long or not an enum member, a datetime whose time or fraction would be cut. Floating-point
targets round by nature; that is reported as a loss, not refused. Values whose meaning depends on
an encoding (blobs, codecs, JSON, UUIDs) may only move between types that read them alike.

The judgement is Joinery's, not the server's, so both backends refuse the same changes (SQLite
would store anything in any column).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from ..types import AttributeType, TypeCategory

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
_BLOB_CAPACITY = {"tinyblob": 2**8 - 1, "blob": 2**16 - 1, "mediumblob": 2**24 - 1}
_TEXT_CAPACITY = {"tinytext": 2**8 - 1}

_NUMERIC = {TypeCategory.INTEGER, TypeCategory.BOOL, TypeCategory.DECIMAL, TypeCategory.FLOAT}
_TEXTUAL = {TypeCategory.STRING, TypeCategory.ENUM, TypeCategory.TEXT}
_TEMPORAL = {TypeCategory.DATE, TypeCategory.DATETIME, TypeCategory.TIMESTAMP}
#: Values that only their own kind of type can read.
_ENCODED = {TypeCategory.JSON, TypeCategory.UUID, TypeCategory.BYTES, TypeCategory.CODEC}
_OWN_KIND_ONLY = _ENCODED | {TypeCategory.TIME, TypeCategory.YEAR}


def conversion_problem(old: AttributeType, new: AttributeType) -> str | None:
    """Why no stored value of ``old`` can be moved to ``new`` (None: decide value by value)."""
    if old.category in _OWN_KIND_ONLY or new.category in _OWN_KIND_ONLY:
        if old.category != new.category:
            return f"values stored as {old.declared} cannot be read as {new.declared}"
        if old.category is TypeCategory.CODEC and old.declared != new.declared:
            return f"values encoded by {old.declared} cannot be decoded by {new.declared}"
    return None


def is_value_checked(new: AttributeType) -> bool:
    """Whether values must be read to judge a change to ``new`` (a blob only by its size)."""
    return new.category not in _ENCODED or new.mysql.lower() in _BLOB_CAPACITY


def rounds_values(old: AttributeType, new: AttributeType) -> bool:
    """A change to a float type narrower than the values' precision (rounding, not refusal)."""
    if new.category is not TypeCategory.FLOAT:
        return False
    narrow = new.mysql.lower().startswith(("float", "real"))
    return old.category is TypeCategory.DECIMAL or (
        narrow and not old.mysql.lower().startswith("float")
    )


def value_problem(value: Any, new: AttributeType) -> str | None:
    """Why ``value`` (as the driver returned it) cannot be stored exactly as ``new``."""
    category = new.category
    if category in (TypeCategory.INTEGER, TypeCategory.BOOL):
        return _integer_problem(value, new)
    if category is TypeCategory.DECIMAL:
        return _decimal_problem(value, new)
    if category is TypeCategory.FLOAT:
        return None if _as_float(value) is not None else "it is not a number"
    if category in _TEXTUAL:
        return _text_problem(value, new)
    if category is TypeCategory.DATE:
        return _date_problem(value)
    if category in (TypeCategory.DATETIME, TypeCategory.TIMESTAMP):
        return _datetime_problem(value, new.precision or 0)
    if category is TypeCategory.BYTES:
        capacity = _BLOB_CAPACITY.get(new.mysql.lower())
        if capacity is not None and len(value) > capacity:
            return f"it is longer than {capacity} bytes"
    return None


def _integer_problem(value: Any, new: AttributeType) -> str | None:
    number = _as_decimal(value)
    if number is None or number != number.to_integral_value():
        return "it is not a whole number"
    low, high = new.int_range() or (None, None)
    if low is not None and high is not None and not low <= number <= high:
        return f"it is out of range [{low}, {high}]"
    return None


def _decimal_problem(value: Any, new: AttributeType) -> str | None:
    number = _as_decimal(value)
    if number is None:
        return "it is not a number"
    scale = new.scale or 0
    if number != number.quantize(decimal.Decimal(1).scaleb(-scale), decimal.ROUND_HALF_UP):
        return f"it has more than {scale} decimal places"
    if new.precision is not None and abs(number) >= decimal.Decimal(10) ** (new.precision - scale):
        return f"it has more than {new.precision - scale} digits before the decimal point"
    return None


def _text_problem(value: Any, new: AttributeType) -> str | None:
    text = _as_text(value)
    if text is None:
        return "it is not text"
    if new.category is TypeCategory.ENUM:
        return None if text in new.enum_values else f"it is not one of {new.declared}"
    limit = new.length or _TEXT_CAPACITY.get(new.mysql.lower())
    if limit is not None and len(text) > limit:
        return f"it is longer than {limit} characters"
    return None


def _date_problem(value: Any) -> str | None:
    moment = _as_datetime(value)
    if moment is None:
        return "it is not a date"
    if moment.time() != dt.time():
        return "it has a time of day"
    return None


def _datetime_problem(value: Any, digits: int) -> str | None:
    moment = _as_datetime(value)
    if moment is None:
        return "it is not a date and time"
    if moment.microsecond % 10 ** (6 - digits):
        return f"it has more than {digits} fractional second digits"
    return None


# ---- reading driver values -------------------------------------------------------------------


def _as_decimal(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool):
        return decimal.Decimal(int(value))
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, float):
        return decimal.Decimal(repr(value))  # the shortest text that reads back as the float
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return decimal.Decimal(value.strip())
    return None


def _as_float(value: Any) -> float | None:
    number = _as_decimal(value)
    return None if number is None else float(number)


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, int | float | decimal.Decimal | dt.date | dt.time):
        return str(value)
    return None


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
