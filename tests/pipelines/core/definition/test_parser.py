"""Definition parsing (spec/engine.md §1.1–§1.3, §1.6–§1.8, §1.11): golden results, every error."""

from __future__ import annotations

from typing import Any

import datajoint.declare as dj_declare
import pytest
from datajoint.adapters import get_adapter

from pipelines.core.definition.parser import (
    format_default_sql,
    is_foreign_key_line,
    parse_attribute_line,
    parse_definition,
)
from pipelines.core.definition.spec import (
    AttributeSpec,
    ForeignKeySpec,
    IndexSpec,
    SourceLine,
    TableSpec,
)
from pipelines.core.errors import DataJointError

MYSQL = get_adapter("mysql")

SESSION = """
# experimental session
-> Subject
session_idx : int16                 # session number within subject
---
session_date : date
-> [nullable] User
-> Rig.proj(backup_rig='rig')       # renamed FK
notes = '' : varchar(4000)
score = null : float32
created = CURRENT_TIMESTAMP : datetime(3)
index(session_date)
unique index(notes)
"""


def _line(number: int, text: str) -> SourceLine:
    return SourceLine(number, text)


def _message(definition: str) -> str:
    with pytest.raises(DataJointError) as error:
        parse_definition(definition)
    assert type(error.value) is DataJointError
    return str(error.value.args[0])


# ---- golden parse: the §1.2 example item by item ---------------------------------------------


def test_session_example_parses_item_by_item() -> None:
    spec = parse_definition(SESSION)
    assert spec.comment == "experimental session"
    assert spec.items == (
        ForeignKeySpec("Subject", True, False, False, _line(3, "-> Subject")),
        AttributeSpec(
            name="session_idx",
            type_text="int16",
            in_key=True,
            nullable=False,
            default=None,
            comment="session number within subject",
            source=_line(4, "session_idx : int16                 # session number within subject"),
        ),
        AttributeSpec(
            "session_date", "date", False, False, None, "", _line(6, "session_date : date")
        ),
        ForeignKeySpec("User", False, True, False, _line(7, "-> [nullable] User")),
        ForeignKeySpec(
            "Rig.proj(backup_rig='rig')",
            False,
            False,
            False,
            _line(8, "-> Rig.proj(backup_rig='rig')       # renamed FK"),
        ),
        AttributeSpec(
            "notes", "varchar(4000)", False, False, "''", "", _line(9, "notes = '' : varchar(4000)")
        ),
        AttributeSpec(
            "score", "float32", False, True, "null", "", _line(10, "score = null : float32")
        ),
        AttributeSpec(
            "created",
            "datetime(3)",
            False,
            False,
            "CURRENT_TIMESTAMP",
            "",
            _line(11, "created = CURRENT_TIMESTAMP : datetime(3)"),
        ),
        IndexSpec(False, ("session_date",), _line(12, "index(session_date)")),
        IndexSpec(True, ("notes",), _line(13, "unique index(notes)")),
    )


def test_session_example_groups_items_by_kind() -> None:
    spec = parse_definition(SESSION)
    assert [a.name for a in spec.attributes] == [
        "session_idx",
        "session_date",
        "notes",
        "score",
        "created",
    ]
    assert [f.reference for f in spec.foreign_keys] == [
        "Subject",
        "User",
        "Rig.proj(backup_rig='rig')",
    ]
    assert [i.items for i in spec.indexes] == [("session_date",), ("notes",)]


# ---- line structure (§1.1) -------------------------------------------------------------------


def test_definition_without_table_comment_has_empty_comment() -> None:
    spec = parse_definition("x : int16")
    assert spec.comment == ""
    assert spec.attributes[0].source == _line(1, "x : int16")


def test_only_the_first_line_can_be_the_table_comment() -> None:
    spec = parse_definition("x : int16\n# not a table comment\n---\ny : int8")
    assert spec.comment == ""
    assert [a.name for a in spec.attributes] == ["x", "y"]


def test_comment_lines_and_blank_lines_are_ignored_but_counted() -> None:
    spec = parse_definition("\n\n  # the table  \n\n  # a note\n  x : int16  \n\n---\n y : int8")
    assert spec.comment == "the table"
    assert [(a.name, a.in_key, a.source.number) for a in spec.attributes] == [
        ("x", True, 6),
        ("y", False, 9),
    ]
    assert spec.attributes[0].source.text == "x : int16"


def test_windows_line_endings_are_accepted() -> None:
    spec = parse_definition("# t\r\nx : int16\r\n---\r\ny : int8 # c\r\n")
    assert spec.comment == "t"
    assert [(a.name, a.comment) for a in spec.attributes] == [("x", ""), ("y", "c")]


@pytest.mark.parametrize("divider", ["---", "-----", "--- # secondary", "----------------"])
def test_three_or_more_dashes_start_the_secondary_section(divider: str) -> None:
    spec = parse_definition(f"x : int16\n{divider}\ny : int8\n---\nz : int8")
    assert [a.in_key for a in spec.attributes] == [True, False, False]


def test_definition_starting_with_divider_has_no_primary_key() -> None:
    spec = parse_definition("# a singleton\n---\nvalue : float64")
    assert spec.comment == "a singleton"
    assert [(a.name, a.in_key) for a in spec.attributes] == [("value", False)]


def test_empty_definition_parses_to_empty_spec() -> None:
    assert parse_definition("") == TableSpec()
    assert parse_definition("  \n \n") == TableSpec()


# ---- attributes (§1.3) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "default", "type_text", "comment"),
    [
        ("x : int16", "x", None, "int16", ""),
        ("x:int16#c", "x", None, "int16", "c"),
        ("x   :   int16   #   spaced out   ", "x", None, "int16", "spaced out"),
        ("x = 5 : int16 # five", "x", "5", "int16", "five"),
        ("x=5:int16", "x", "5", "int16", ""),
        ('x = "a:b#c" : varchar(10) # note', "x", '"a:b#c"', "varchar(10)", "note"),
        ("x = 'a:b#c' : varchar(10)", "x", "'a:b#c'", "varchar(10)", ""),
        ("x = '' : varchar(10)", "x", "''", "varchar(10)", ""),
        ("x = CURRENT_TIMESTAMP(3) : datetime(3)", "x", "CURRENT_TIMESTAMP(3)", "datetime(3)", ""),
        ("x : enum('a#', 'b') # choice", "x", None, "enum('a#', 'b')", "choice"),
        ("x : enum( 'a' , \"b\" )", "x", None, "enum( 'a' , \"b\" )", ""),
        ("x : <blob@cold> # raw trace", "x", None, "<blob@cold>", "raw trace"),
        ("x : <blob@>", "x", None, "<blob@>", ""),
        ("x : int16 # a # b", "x", None, "int16", "a # b"),
        ("x : int16 # issue ##", "x", None, "int16", "issue"),
        ("x : int16 #", "x", None, "int16", ""),
        ('x : int16 # say "hi"', "x", None, "int16", 'say "hi"'),
        ("x : int16 # ratio: 2", "x", None, "int16", "ratio: 2"),
        ("x : int unsigned # native", "x", None, "int unsigned", "native"),
        ("x = : int16", "x", None, "int16", ""),
        ("key : int32", "key", None, "int32", ""),
        (
            "index : int32 # an attribute named index",
            "index",
            None,
            "int32",
            "an attribute named index",
        ),
        ("a_1_b : int8", "a_1_b", None, "int8", ""),
    ],
)
def test_attribute_line_splits_into_its_parts(
    line: str, name: str, default: str | None, type_text: str, comment: str
) -> None:
    (attribute,) = parse_definition(f"---\n{line}").attributes
    assert (attribute.name, attribute.default, attribute.type_text, attribute.comment) == (
        name,
        default,
        type_text,
        comment,
    )


@pytest.mark.parametrize("default", ["null", "NULL", "Null"])
def test_null_default_makes_the_attribute_nullable(default: str) -> None:
    (attribute,) = parse_definition(f"---\nx = {default} : float32").attributes
    assert attribute.nullable is True
    assert attribute.default == default


def test_primary_key_attribute_may_have_a_non_null_default() -> None:
    (attribute,) = parse_definition("omega = 0 : tinyint").attributes
    assert (attribute.in_key, attribute.default, attribute.nullable) == (True, "0", False)


def test_blob_attribute_may_default_to_null() -> None:
    spec = parse_definition("---\na = null : longblob\nb = null : <blob>\nc = null : bytes")
    assert all(a.nullable for a in spec.attributes)


def test_stored_non_blob_codec_may_have_a_default() -> None:
    (attribute,) = parse_definition('---\nx = "" : <hash@s>').attributes
    assert attribute.default == '""'


# ---- foreign keys (§1.6, syntax) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reference", "nullable", "unique"),
    [
        ("-> Subject", "Subject", False, False),
        ("->Subject", "Subject", False, False),
        ("-> lab.Subject  # the subject", "lab.Subject", False, False),
        ("-> [nullable] User", "User", True, False),
        ("-> [unique] User", "User", False, True),
        ("-> [nullable, unique] User", "User", True, True),
        ("-> [ UNIQUE ,Nullable ]User", "User", True, True),
        ("-> Rig.proj(backup_rig='rig')", "Rig.proj(backup_rig='rig')", False, False),
        ("-> Rig.proj(x='#not_a_comment')", "Rig.proj(x='#not_a_comment')", False, False),
        ("-> master", "master", False, False),
        ("-> master.Part", "master.Part", False, False),
    ],
)
def test_foreign_key_line_gives_reference_and_options(
    line: str, reference: str, nullable: bool, unique: bool
) -> None:
    (fk,) = parse_definition(f"---\n{line}").foreign_keys
    assert (fk.reference, fk.nullable, fk.unique, fk.in_key) == (reference, nullable, unique, False)


def test_foreign_key_above_divider_is_in_the_key() -> None:
    spec = parse_definition("-> [unique] Subject\n---\n-> Other")
    assert [fk.in_key for fk in spec.foreign_keys] == [True, False]


@pytest.mark.parametrize(
    ("line", "is_fk"),
    [
        ("-> Parent", True),
        ("(alias) -> Parent", True),  # then rejected: the old rename syntax
        ("x = '->' : varchar(4)", False),
        ('x = "->" : varchar(4)', False),
        ("x : int16 # see -> Parent", False),
    ],
)
def test_arrow_after_a_quote_or_hash_is_not_a_foreign_key(line: str, is_fk: bool) -> None:
    assert is_foreign_key_line(line) is is_fk


def test_arrow_inside_a_default_leaves_an_attribute() -> None:
    (attribute,) = parse_definition("---\nx = '->' : varchar(4) # a -> b").attributes
    assert (attribute.default, attribute.comment) == ("'->'", "a -> b")


# ---- indexes (§1.7) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "unique", "items"),
    [
        ("index(a)", False, ("a",)),
        ("index (a, b)", False, ("a", "b")),
        ("INDEX(a,b)", False, ("a", "b")),
        ("unique index(a)", True, ("a",)),
        ("UNIQUE   INDEX ( a , b )", True, ("a", "b")),
        ("unique index(notes(10))", True, ("notes(10)",)),
        ("index(a) # speeds up lookups", False, ("a",)),
        ("index(car.name:char(20))", False, ("car.name:char(20)",)),
        (
            "index((json_value(`col`, '$.path' returning char(20))), b)",
            False,
            ("(json_value(`col`, '$.path' returning char(20)))", "b"),
        ),
        ("index(a, (lower(b)), (c + d))", False, ("a", "(lower(b))", "(c + d)")),
        ("index((concat(a, ')')), b)", False, ("(concat(a, ')'))", "b")),
        ("index(a,)", False, ("a",)),
    ],
)
def test_index_line_items_are_copied_verbatim(line: str, unique: bool, items: tuple[str]) -> None:
    (index,) = parse_definition(f"x : int8\n---\n{line}").indexes
    assert (index.unique, index.items) == (unique, items)


def test_index_may_appear_in_the_key_section_and_keeps_definition_order() -> None:
    spec = parse_definition("a : int8\nindex(a)\n---\nb : int8\n-> [unique] P\nunique index(b)")
    assert [type(item).__name__ for item in spec.items] == [
        "AttributeSpec",
        "IndexSpec",
        "AttributeSpec",
        "ForeignKeySpec",
        "IndexSpec",
    ]


# ---- errors: every §1.11 row that belongs to parsing ------------------------------------------


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            "x : int24",
            "Unsupported attribute type int24 (line 1: `x : int24`)",
        ),
        (
            "---\nflag : uint8",
            "Unsupported attribute type uint8 (line 2: `flag : uint8`)",
        ),
        (
            "Subject_id : int32",
            'Declaration error in position 0: invalid attribute name "Subject_id" '
            "(names match [a-z][a-z0-9_]*) (line 1: `Subject_id : int32`)",
        ),
        (
            "sessionId : int32",
            'Declaration error in position 7: invalid attribute name "sessionId" '
            "(names match [a-z][a-z0-9_]*) (line 1: `sessionId : int32`)",
        ),
        (
            "1x : int32",
            'Declaration error in position 0: invalid attribute name "1x" '
            "(names match [a-z][a-z0-9_]*) (line 1: `1x : int32`)",
        ),
        (
            "x y : int32",
            'Declaration error in position 2: expected "=" or ":" after the attribute name '
            "(line 1: `x y : int32`)",
        ),
        (
            "x int32",
            'Declaration error in position 2: expected "=" or ":" after the attribute name '
            "(line 1: `x int32`)",
        ),
        (
            "x = 5",
            'Declaration error in position 5: expected ":" and a type after the default '
            "(line 1: `x = 5`)",
        ),
        (
            "x :",
            'Declaration error in position 3: expected a type after ":" (line 1: `x :`)',
        ),
        (
            "x : # nothing",
            'Declaration error in position 4: expected a type after ":" (line 1: `x : # nothing`)',
        ),
        (
            "---\nx : <blob",
            'Declaration error in position 4: a codec type needs a closing ">" '
            "(line 2: `x : <blob`)",
        ),
        (
            "---\nx : <blob> raw",
            'Declaration error in position 11: expected "#" and a comment after the type '
            "(line 2: `x : <blob> raw`)",
        ),
        (
            "---\nindex(a",
            'Declaration error in position 5: invalid attribute name "index(a" '
            "(names match [a-z][a-z0-9_]*) (line 2: `index(a`)",
        ),
        (
            "_hidden : int32",
            "Attribute name `_hidden` starts with an underscore. Names with a leading underscore "
            "are reserved for platform-managed columns (e.g. _job_start_time, _singleton) "
            "(line 1: `_hidden : int32`)",
        ),
        (
            "x : int8\n---\n_singleton = 1 : bool",
            "Attribute name `_singleton` starts with an underscore. Names with a leading "
            "underscore are reserved for platform-managed columns (e.g. _job_start_time, "
            "_singleton) (line 3: `_singleton = 1 : bool`)",
        ),
        (
            "x : int8\nscore = null : float32",
            "Primary key attributes cannot be nullable (line 2: `score = null : float32`)",
        ),
        (
            "-> [nullable] User\n---\nx : int8",
            "Primary dependencies cannot be nullable (line 1: `-> [nullable] User`)",
        ),
        (
            "x : int8 # :int8:sneaky",
            "An attribute comment must not start with a colon (line 1: `x : int8 # :int8:sneaky`)",
        ),
        (
            "# :not allowed\nx : int8",
            'Table comment must not start with a colon ":" (line 1: `# :not allowed`)',
        ),
        (
            "---\ndata = '' : longblob",
            "The default value for blob attributes can only be NULL "
            "(line 2: `data = '' : longblob`)",
        ),
        (
            "---\ndata = 0 : bytes",
            "The default value for blob attributes can only be NULL (line 2: `data = 0 : bytes`)",
        ),
        (
            "---\ndata = 1 : <blob>",
            "The default value for blob attributes can only be NULL (line 2: `data = 1 : <blob>`)",
        ),
        (
            "---\ndata = 1 : <blob@cold>",
            "The default value for blob attributes can only be NULL "
            "(line 2: `data = 1 : <blob@cold>`)",
        ),
        (
            "---\nfile = 'a' : <attach>",
            "The default value for blob attributes can only be NULL "
            "(line 2: `file = 'a' : <attach>`)",
        ),
        (
            "-> [bogus] Subject",
            'Invalid foreign key option "bogus" (line 1: `-> [bogus] Subject`)',
        ),
        (
            "---\n-> [nullable, uniq] Subject",
            'Invalid foreign key option "uniq" (line 2: `-> [nullable, uniq] Subject`)',
        ),
        (
            "---\n-> [] Subject",
            'Invalid foreign key option "" (line 2: `-> [] Subject`)',
        ),
        (
            "---\n-> [nullable Subject",
            'Parsing error in foreign key line: missing "]" after the options '
            "(line 2: `-> [nullable Subject`)",
        ),
        (
            "---\n->   # nothing",
            "Parsing error in foreign key line: the referenced table is missing "
            "(line 2: `->   # nothing`)",
        ),
        (
            "x : int8\n---\n(backup) -> Rig",
            "Parsing error in foreign key line: it must start with `->`. The rename syntax "
            "`(alias) -> Parent` is no longer supported; write `-> Parent.proj(alias='attr')` "
            "(line 3: `(backup) -> Rig`)",
        ),
        (
            "b -> A",
            "Parsing error in foreign key line: it must start with `->`. The rename syntax "
            "`(alias) -> Parent` is no longer supported; write `-> Parent.proj(alias='attr')` "
            "(line 1: `b -> A`)",
        ),
        (
            "x : int8\n---\nindex((a)",
            "Table definition syntax error in index line (line 3: `index((a)`)",
        ),
        (
            "x : int8\n---\nindex(a))",
            "Table definition syntax error in index line (line 3: `index(a))`)",
        ),
        (
            "x : int8\n---\nunique index( )",
            "Table definition syntax error: an index needs at least one attribute "
            "(line 3: `unique index( )`)",
        ),
        (
            "x : int8\n---\ny : int8\nx : int16",
            "Duplicate attribute name `x` (first declared in line 1) (line 4: `x : int16`)",
        ),
        (
            "trace : longblob",
            "Blob or JSON attributes are not allowed in the primary key "
            "(line 1: `trace : longblob`)",
        ),
        (
            "meta : json",
            "Blob or JSON attributes are not allowed in the primary key (line 1: `meta : json`)",
        ),
        (
            "x : enum(a, b)",
            "Unsupported attribute type enum(a, b): enum values must be quoted strings "
            "(line 1: `x : enum(a, b)`)",
        ),
    ],
)
def test_error_states_the_problem_and_quotes_the_line(definition: str, message: str) -> None:
    assert _message(definition) == message


def test_error_line_numbers_count_lines_of_the_given_text() -> None:
    definition = """
    # a table
    x : int8
    ---
    y = null : float32
    z : int25
    """
    assert _message(definition) == "Unsupported attribute type int25 (line 6: `z : int25`)"


# ---- parse_attribute_line: platform columns in the same notation ------------------------------


def test_platform_attribute_line_parses_when_reserved_names_are_allowed() -> None:
    attribute = parse_attribute_line(
        "_singleton = 1 : bool # singleton primary key", in_key=True, allow_reserved=True
    )
    assert attribute == AttributeSpec(
        "_singleton",
        "bool",
        True,
        False,
        "1",
        "singleton primary key",
        SourceLine(1, "_singleton = 1 : bool # singleton primary key"),
    )


def test_attribute_line_refuses_reserved_names_by_default() -> None:
    with pytest.raises(DataJointError, match=r"^Attribute name `_x` starts with an underscore"):
        parse_attribute_line("_x : int8", in_key=False)


def test_attribute_line_reports_the_given_line_number() -> None:
    with pytest.raises(DataJointError, match=r"\(line 7: `x = null : int8`\)$"):
        parse_attribute_line("x = null : int8", in_key=True, number=7)


# ---- format_default_sql (§1.3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "sql"),
    [
        ("null", "NULL"),
        ("NULL", "NULL"),
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("current_timestamp", "current_timestamp"),
        ("CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)"),
        ("CURRENT_TIMESTAMP()", "CURRENT_TIMESTAMP()"),
        ('"text"', "'text'"),
        ('"it\'s"', "'it''s'"),
        ('""', "''"),
        ("'text'", "'text'"),
        ("''", "''"),
        ("0", "'0'"),
        ("5.5", "'5.5'"),
        ("-1", "'-1'"),
        ("abc", "'abc'"),
        ("it's", "'it''s'"),
        ('"', "'\"'"),
        ("CURRENT_TIMESTAMP(3) junk", "'CURRENT_TIMESTAMP(3) junk'"),
        ("  7  ", "'7'"),
    ],
)
def test_default_renders_as_sql_literal(default: str, sql: str) -> None:
    assert format_default_sql(default) == sql


# ---- differential: DataJoint's own parser ------------------------------------------------------

ATTRIBUTE_LINES = [
    "x : int16",
    "x:int16#c",
    "x   :   int16   #   spaced out   ",
    "x = 5 : int16 # five",
    'x = "a:b#c" : varchar(10) # note',
    "x = 'a:b#c' : varchar(10)",
    "x = CURRENT_TIMESTAMP(3) : datetime(3)",
    "x : enum('a#', 'b') # choice",
    "x : <blob@cold> # raw trace",
    "x : int16 # a # b",
    "x : int16 # issue ##",
    "x : int16 #",
    "x : int16 # ratio: 2",
    "x : int unsigned # native",
    "x = null : float32 # maybe",
    "x = '' : varchar(4000)",
    "x = 1 : bool",
    "x : decimal(5, 2)  # money",
    "index : int32",
]


def _datajoint_parts(line: str) -> tuple[str, str | None, str, str]:
    parsed: dict[str, Any] = dict(dj_declare.attribute_parser.parse_string(line + "#").as_dict())
    default = str(parsed.get("default", "")).strip() or None
    comment = str(parsed["comment"]).rstrip("#").strip()
    return str(parsed["name"]), default, str(parsed["type"]).strip(), comment


@pytest.mark.parametrize("line", ATTRIBUTE_LINES)
def test_attribute_parts_agree_with_datajoint(line: str) -> None:
    attribute = parse_attribute_line(line, in_key=False)
    ours = (attribute.name, attribute.default, attribute.type_text, attribute.comment)
    assert ours == _datajoint_parts(line)


@pytest.mark.parametrize(
    "default",
    ["0", "5.5", '"abc"', "'abc'", '"it\'s"', "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(3)", "abc"],
)
def test_default_sql_agrees_with_datajoint(default: str) -> None:
    _, column_sql, _, _ = dj_declare.compile_attribute(
        f"x = {default} : varchar(20)", False, [], {}, MYSQL
    )
    assert f"NOT NULL DEFAULT {format_default_sql(default)} COMMENT" in column_sql


DEFINITIONS = [
    SESSION.replace("-> Subject\n", "")
    .replace("-> [nullable] User\n", "")
    .replace("-> Rig.proj(backup_rig='rig')       # renamed FK\n", ""),
    "# t\nx : int8\n---\ny = null : <blob>",
    "---\nvalue : float64",
    "x : int8\nindex(x)",
    "x : int8\nx_1 : int8 # c",
    "x = null : int8",
    "X : int8",
    "_x : int8",
    "x : int8 # :c",
    "# :c\nx : int8",
    "---\nd = 1 : longblob",
    "---\nd = 1 : <blob>",
    "x : int24",
    "x : int16\n---\ny = 'a' : enum('a', 'b')",
    "x = 5",
    "x : <blob> raw",
]


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_acceptance_agrees_with_datajoint(definition: str) -> None:
    try:
        dj_declare.prepare_declare(definition, {}, MYSQL)
    except Exception:  # DataJoint rejected it
        with pytest.raises(DataJointError):
            parse_definition(definition)
        return
    assert isinstance(parse_definition(definition), TableSpec)
