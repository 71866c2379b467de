"""Golden CREATE TABLE text (spec/engine.md §1.3–§1.10), no database.

Definitions are parsed and resolved with hand-made parent keys, then rendered for MySQL (byte for
byte what DataJoint 2.3.5 sends) and for SQLite (storage affinities, separate index statements,
declared types and comments kept in the metadata rows).
"""

from __future__ import annotations

import logging

import datajoint.declare as dj_declare
import pytest
from datajoint.adapters import get_adapter

from pipelines.core.definition.parser import parse_definition
from pipelines.core.definition.resolve import resolve_table
from pipelines.core.definition.resolved import ParentAttribute, ParentKey, ResolvedTable
from pipelines.core.errors import DataJointError
from pipelines.core.sql.ddl import (
    create_table_sql,
    escape_comment,
    metadata_rows,
    normalize_type,
    sqlite_affinity,
)
from pipelines.core.sql.dialects import MySQLDialect, SQLiteDialect

MYSQL = MySQLDialect()
SQLITE = SQLiteDialect()

SESSION_DEFINITION = """
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

SUBJECT = ParentKey(
    "db",
    "subject",
    (ParentAttribute("subject_id", "int", "subject number", False, "db.subject.subject_id"),),
)
USER = ParentKey(
    "db", "#user", (ParentAttribute("username", "varchar(12)", "", False, "db.#user.username"),)
)
RIG = ParentKey(
    "db",
    "#rig",
    (ParentAttribute("rig", "varchar(8)", "rig name", False, "db.#rig.rig"),),
    {"backup_rig": "rig"},
)

SESSION_MYSQL = """CREATE TABLE IF NOT EXISTS `db`.`session` (
`subject_id` int NOT NULL COMMENT "subject number",
`session_idx` smallint NOT NULL COMMENT ":int16:session number within subject",
`session_date` date NOT NULL COMMENT ":date:",
`username` varchar(12),
`backup_rig` varchar(8) NOT NULL COMMENT "rig name",
`notes` varchar(4000) NOT NULL DEFAULT '' COMMENT ":varchar(4000):",
`score` float DEFAULT NULL COMMENT ":float32:",
`created` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT ":datetime(3):",
PRIMARY KEY (`subject_id`, `session_idx`),
FOREIGN KEY (`subject_id`) REFERENCES `db`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
FOREIGN KEY (`username`) REFERENCES `db`.`#user` (`username`) ON UPDATE CASCADE ON DELETE RESTRICT,
FOREIGN KEY (`backup_rig`) REFERENCES `db`.`#rig` (`rig`) ON UPDATE CASCADE ON DELETE RESTRICT,
index (`session_date`),
unique index (`notes`)
) ENGINE=InnoDB, COMMENT "experimental session\""""

SESSION_SQLITE = [
    """CREATE TABLE IF NOT EXISTS "db.session" (
"subject_id" INT NOT NULL,
"session_idx" INT NOT NULL,
"session_date" TEXT NOT NULL,
"username" TEXT,
"backup_rig" TEXT NOT NULL,
"notes" TEXT NOT NULL DEFAULT '',
"score" REAL DEFAULT NULL,
"created" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
PRIMARY KEY ("subject_id", "session_idx"),
FOREIGN KEY ("subject_id") REFERENCES "db.subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,
FOREIGN KEY ("username") REFERENCES "db.#user" ("username") ON UPDATE CASCADE ON DELETE RESTRICT,
FOREIGN KEY ("backup_rig") REFERENCES "db.#rig" ("rig") ON UPDATE CASCADE ON DELETE RESTRICT
)""",
    'CREATE INDEX IF NOT EXISTS "db.session.i0" ON "db.session" ("session_date")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "db.session.u1" ON "db.session" ("notes")',
]


def resolve(
    definition: str,
    parents: tuple[ParentKey, ...] = (),
    table_name: str = "t",
    **options: bool,
) -> ResolvedTable:
    return resolve_table(
        parse_definition(definition),
        database="db",
        table_name=table_name,
        parents=list(parents),
        **options,
    )


def session() -> ResolvedTable:
    return resolve(SESSION_DEFINITION, (SUBJECT, USER, RIG), table_name="session")


def mysql_sql(table: ResolvedTable) -> str:
    statements = create_table_sql(table, MYSQL)
    assert len(statements) == 1
    return statements[0]


# ---- the §1.10 example ------------------------------------------------------------------------


def test_session_example_is_byte_for_byte_the_datajoint_text_on_mysql() -> None:
    assert mysql_sql(session()) == SESSION_MYSQL


def test_session_example_on_sqlite_uses_affinities_and_separate_index_statements() -> None:
    assert create_table_sql(session(), SQLITE) == SESSION_SQLITE


def test_session_example_metadata_rows_keep_declared_types_and_comments() -> None:
    assert metadata_rows(session()) == [
        ("db.session", "", 0, "", "experimental session"),
        ("db.session", "subject_id", 1, "int", "subject number"),
        ("db.session", "session_idx", 2, "smallint", ":int16:session number within subject"),
        ("db.session", "session_date", 3, "date", ":date:"),
        ("db.session", "username", 4, "varchar(12)", ""),
        ("db.session", "backup_rig", 5, "varchar(8)", "rig name"),
        ("db.session", "notes", 6, "varchar(4000)", ":varchar(4000):"),
        ("db.session", "score", 7, "float", ":float32:"),
        ("db.session", "created", 8, "datetime(3)", ":datetime(3):"),
    ]


def test_session_example_lineage_rows_point_at_each_attribute_origin() -> None:
    assert session().lineage_rows() == [
        ("session", "subject_id", "db.subject.subject_id"),
        ("session", "session_idx", "db.session.session_idx"),
        ("session", "username", "db.#user.username"),
        ("session", "backup_rig", "db.#rig.rig"),
    ]


# ---- every core type's column text ---------------------------------------------------------

CORE_COLUMNS = [
    ("int8", "tinyint", "INT"),
    ("int16", "smallint", "INT"),
    ("int32", "int", "INT"),
    ("int64", "bigint", "INT"),
    ("float32", "float", "REAL"),
    ("float64", "double", "REAL"),
    ("bool", "tinyint", "INT"),
    ("decimal(5,2)", "decimal(5,2)", "NUMERIC"),
    ("char(8)", "char(8)", "TEXT"),
    ("varchar(30)", "varchar(30)", "TEXT"),
    ("enum('a', 'b')", "enum('a', 'b')", "TEXT"),
    ("date", "date", "TEXT"),
    ("datetime", "datetime", "TEXT"),
    ("datetime(6)", "datetime(6)", "TEXT"),
    ("json", "json", "TEXT"),
    ("jsonb", "json", "TEXT"),
    ("uuid", "binary(16)", "BLOB"),
    ("bytes", "longblob", "BLOB"),
    ("<blob>", "longblob", "BLOB"),
    ("<attach>", "longblob", "BLOB"),
]


@pytest.mark.parametrize(("declared", "mysql_type", "sqlite_type"), CORE_COLUMNS)
def test_core_type_column_text(declared: str, mysql_type: str, sqlite_type: str) -> None:
    table = resolve(f"id : int32\n---\nvalue : {declared} # the value\n")
    mysql_line = mysql_sql(table).split("\n")[2]
    sqlite_line = create_table_sql(table, SQLITE)[0].split("\n")[2]
    assert mysql_line == f'`value` {mysql_type} NOT NULL COMMENT ":{declared}:the value",'
    assert sqlite_line == f'"value" {sqlite_type} NOT NULL,'
    # SQLite's metadata keeps the type as MariaDB reports it (no spaces between enum items).
    stored = normalize_type(mysql_type)
    assert metadata_rows(table)[2] == ("db.t", "value", 2, stored, f":{declared}:the value")


@pytest.mark.parametrize(("declared", "mysql_type", "sqlite_type"), CORE_COLUMNS)
def test_nullable_core_type_column_text(declared: str, mysql_type: str, sqlite_type: str) -> None:
    table = resolve(f"id : int32\n---\nvalue = null : {declared}\n")
    assert mysql_sql(table).split("\n")[2] == (
        f'`value` {mysql_type} DEFAULT NULL COMMENT ":{declared}:",'
    )
    assert create_table_sql(table, SQLITE)[0].split("\n")[2] == (
        f'"value" {sqlite_type} DEFAULT NULL,'
    )


ALL_CORE_DEFINITION = "# every core type\nid : int32 # key\n---\n" + "\n".join(
    f"a{number} = null : {declared} # c{number}"
    for number, (declared, _, _) in enumerate(CORE_COLUMNS)
    if declared != "jsonb"  # DataJoint's MySQL adapter does not know the PostgreSQL spelling
)


def test_every_core_type_table_matches_datajoint_declare() -> None:
    expected = dj_declare.declare("`db`.`t`", ALL_CORE_DEFINITION, {}, get_adapter("mysql"))[0]
    assert mysql_sql(resolve(ALL_CORE_DEFINITION)) == expected


NATIVE_DEFINITION = """
id : int auto_increment
---
a = 5 : int unsigned      # unsigned
b : longblob
c = null : time
d = CURRENT_TIMESTAMP : timestamp
e : text                   # notes
f = 1.5 : double
g : varchar(10)
"""


def test_native_types_pass_through_without_type_marker_and_match_datajoint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="pipelines.core"):
        sql = mysql_sql(resolve(NATIVE_DEFINITION))
    assert sql == dj_declare.declare("`db`.`t`", NATIVE_DEFINITION, {}, get_adapter("mysql"))[0]
    assert "`id` int auto_increment NOT NULL,\n" in sql
    assert "`a` int unsigned NOT NULL DEFAULT '5' COMMENT \"unsigned\",\n" in sql
    assert "`b` longblob NOT NULL,\n" in sql
    assert (
        "Native type 'longblob' is used in attribute 'b'. It stores raw bytes only" in caplog.text
    )


def test_auto_increment_key_is_an_sqlite_integer_primary_key() -> None:
    statement = create_table_sql(resolve("id : int auto_increment\n---\nv : int8\n"), SQLITE)[0]
    assert statement == (
        'CREATE TABLE IF NOT EXISTS "db.t" (\n'
        '"id" INTEGER PRIMARY KEY AUTOINCREMENT,\n'
        '"v" INT NOT NULL\n)'
    )


# ---- defaults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "mysql_clause", "sqlite_clause"),
    [
        ("v = 0 : int32", "NOT NULL DEFAULT '0'", "NOT NULL DEFAULT '0'"),
        ("v = 5.5 : float64", "NOT NULL DEFAULT '5.5'", "NOT NULL DEFAULT '5.5'"),
        ("v = -1 : int8", "NOT NULL DEFAULT '-1'", "NOT NULL DEFAULT '-1'"),
        ('v = "it\'s" : varchar(9)', "NOT NULL DEFAULT 'it''s'", "NOT NULL DEFAULT 'it''s'"),
        ("v = 'x y' : varchar(9)", "NOT NULL DEFAULT 'x y'", "NOT NULL DEFAULT 'x y'"),
        ("v = 'a:b#c' : varchar(9)", "NOT NULL DEFAULT 'a:b#c'", "NOT NULL DEFAULT 'a:b#c'"),
        ("v = '' : varchar(9)", "NOT NULL DEFAULT ''", "NOT NULL DEFAULT ''"),
        ("v = null : int32", "DEFAULT NULL", "DEFAULT NULL"),
        ("v = NULL : int32", "DEFAULT NULL", "DEFAULT NULL"),
        (
            "v = CURRENT_TIMESTAMP : datetime",
            "NOT NULL DEFAULT CURRENT_TIMESTAMP",
            "NOT NULL DEFAULT CURRENT_TIMESTAMP",
        ),
        (
            "v = CURRENT_TIMESTAMP(3) : datetime(3)",
            "NOT NULL DEFAULT CURRENT_TIMESTAMP(3)",
            "NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))",
        ),
        ("v = 'b' : enum('a', 'b')", "NOT NULL DEFAULT 'b'", "NOT NULL DEFAULT 'b'"),
        ("v = 1 : bool", "NOT NULL DEFAULT '1'", "NOT NULL DEFAULT '1'"),
        (
            "v = '2024-01-01' : date",
            "NOT NULL DEFAULT '2024-01-01'",
            "NOT NULL DEFAULT '2024-01-01'",
        ),
    ],
)
def test_default_clauses(line: str, mysql_clause: str, sqlite_clause: str) -> None:
    table = resolve(f"id : int32\n---\n{line}\n")
    mysql_line = mysql_sql(table).split("\n")[2]
    sqlite_line = create_table_sql(table, SQLITE)[0].split("\n")[2]
    assert mysql_line.startswith(f"`v` {table.column('v').sql_type} {mysql_clause} COMMENT")
    assert sqlite_line.endswith(f" {sqlite_clause},")


def test_defaults_match_datajoint_declare() -> None:
    definition = (
        "id = 0 : int8\n---\n"
        "a = 0 : int32\nb = 'x' : varchar(3)\nc = \"y\" : char(1)\nd = null : json\n"
        "e = CURRENT_TIMESTAMP(6) : datetime(6)\nf = 0.25 : decimal(4,2)\n"
    )
    expected = dj_declare.declare("`db`.`t`", definition, {}, get_adapter("mysql"))[0]
    assert mysql_sql(resolve(definition)) == expected


def test_a_primary_key_attribute_may_carry_a_default() -> None:
    sql = mysql_sql(resolve("omega = 0 : int8\n---\nterm : varchar(9)\n"))
    assert "`omega` tinyint NOT NULL DEFAULT '0' COMMENT \":int8:\"," in sql


# ---- comments and escaping -------------------------------------------------------------------


def test_comments_escape_double_quotes_and_backslashes() -> None:
    assert escape_comment('say "hi" \\ bye') == 'say \\"hi\\" \\\\ bye'
    table = resolve('# the "main" table\nid : int32 # an "id"\n')
    sql = mysql_sql(table)
    assert '`id` int NOT NULL COMMENT ":int32:an \\"id\\"",' in sql
    assert sql.endswith(') ENGINE=InnoDB, COMMENT "the \\"main\\" table"')
    assert metadata_rows(table)[0] == ("db.t", "", 0, "", 'the "main" table')


def test_no_table_comment_closes_with_engine_only() -> None:
    assert mysql_sql(resolve("id : int32\n")).endswith("\n) ENGINE=InnoDB")


def test_native_type_without_comment_has_no_comment_clause() -> None:
    assert "`v` smallint NOT NULL,\n" in mysql_sql(resolve("id : int32\n---\nv : smallint\n"))


# ---- foreign keys ------------------------------------------------------------------------------


def test_foreign_key_columns_copy_the_parent_user_comment_only() -> None:
    parent = ParentKey(
        "lab",
        "#param",
        (ParentAttribute("param_id", "tinyint", "parameter set", False, "lab.#param.param_id"),),
    )
    sql = mysql_sql(resolve("-> Param\n", (parent,)))
    assert '`param_id` tinyint NOT NULL COMMENT "parameter set",\n' in sql
    assert (
        "FOREIGN KEY (`param_id`) REFERENCES `lab`.`#param` (`param_id`) "
        "ON UPDATE CASCADE ON DELETE RESTRICT" in sql
    )


def test_uuid_foreign_key_column_keeps_its_uuid_marker() -> None:
    parent = ParentKey(
        "db", "animal", (ParentAttribute("animal_id", "binary(16)", "animal uuid", True, None),)
    )
    table = resolve("-> Animal\n", (parent,))
    assert '`animal_id` binary(16) NOT NULL COMMENT ":uuid:animal uuid",\n' in mysql_sql(table)
    assert table.lineage_rows() == [("t", "animal_id", "db.animal.animal_id")]


def test_a_copied_parent_comment_with_quotes_is_escaped() -> None:
    parent = ParentKey("db", "p", (ParentAttribute("pid", "int", 'the "p"', False, "db.p.pid"),))
    assert '`pid` int NOT NULL COMMENT "the \\"p\\"",' in mysql_sql(resolve("-> P\n", (parent,)))


def test_nullable_foreign_key_columns_carry_no_null_clause() -> None:
    table = resolve("id : int32\n---\n-> [nullable] P\n", (USER,))
    assert "`username` varchar(12),\n" in mysql_sql(table)
    assert '"username" TEXT,\n' in create_table_sql(table, SQLITE)[0]
    assert table.column("username").nullable


def test_two_foreign_keys_sharing_a_key_prefix_reuse_the_shared_columns() -> None:
    def cell(new: str) -> ParentKey:
        attributes = (
            ParentAttribute("prep", "int", "", False, "db.prep.prep"),
            ParentAttribute("slice", "smallint", "", False, "db.slice.slice"),
            ParentAttribute("cell", "smallint", "", False, "db.cell.cell"),
        )
        return ParentKey("db", "cell", attributes, {new: "cell"})

    table = resolve(
        "-> Cell.proj(presynaptic='cell')\n-> Cell.proj(postsynaptic='cell')\n",
        (cell("presynaptic"), cell("postsynaptic")),
        table_name="synapse",
    )
    assert [c.name for c in table.columns] == ["prep", "slice", "presynaptic", "postsynaptic"]
    assert table.primary_key == ("prep", "slice", "presynaptic", "postsynaptic")
    sql = mysql_sql(table)
    assert (
        "FOREIGN KEY (`prep`, `slice`, `presynaptic`) REFERENCES `db`.`cell` "
        "(`prep`, `slice`, `cell`)" in sql
    )
    assert (
        "FOREIGN KEY (`prep`, `slice`, `postsynaptic`) REFERENCES `db`.`cell` "
        "(`prep`, `slice`, `cell`)" in sql
    )
    assert dict((a, lineage) for _, a, lineage in table.lineage_rows()) == {
        "prep": "db.prep.prep",
        "slice": "db.slice.slice",
        "presynaptic": "db.cell.cell",
        "postsynaptic": "db.cell.cell",
    }


def test_unique_foreign_key_index_interleaves_with_declared_indexes_in_order() -> None:
    definition = (
        "id : int32\n---\nscore : float32\nindex(score)\n-> [unique] User\n"
        "label : varchar(20)\nunique index(label(10), (score + 1))\n"
    )
    sql = mysql_sql(resolve(definition, (USER,)))
    assert sql.endswith(
        "index (`score`),\nunique index (`username`),\nunique index (label(10),(score + 1))\n"
        ") ENGINE=InnoDB"
    )


def test_sqlite_indexes_are_numbered_in_definition_order() -> None:
    statements = create_table_sql(
        resolve("id : int32\n---\na : int8\nb : int8\nindex(a, b)\nunique index(b)\n"), SQLITE
    )
    assert statements[1:] == [
        'CREATE INDEX IF NOT EXISTS "db.t.i0" ON "db.t" ("a", "b")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "db.t.u1" ON "db.t" ("b")',
    ]


def test_renaming_an_attribute_not_in_the_parent_key_is_refused() -> None:
    parent = ParentKey("db", "#rig", RIG.attributes, {"backup": "nope"})
    with pytest.raises(
        DataJointError, match="`nope` renamed in the reference is not in the primary"
    ):
        resolve("id : int32\n---\n-> Rig.proj(backup='nope')\n", (parent,))


def test_every_foreign_key_needs_a_resolved_parent() -> None:
    with pytest.raises(DataJointError, match="needs a resolved parent"):
        resolve("-> Subject\n")


def test_an_index_on_an_unknown_attribute_is_refused() -> None:
    with pytest.raises(DataJointError, match="Index refers to unknown attribute `nope`"):
        resolve("id : int32\n---\nindex(nope)\n")


# ---- singleton and auto-populated tables ---------------------------------------------------


def test_singleton_table_adds_a_hidden_key_column_after_user_columns() -> None:
    table = resolve("---\nvalue : int32\n", table_name="#one")
    assert mysql_sql(table) == (
        "CREATE TABLE IF NOT EXISTS `db`.`#one` (\n"
        '`value` int NOT NULL COMMENT ":int32:",\n'
        "`_singleton` tinyint NOT NULL DEFAULT '1' COMMENT \":bool:singleton primary key\",\n"
        "PRIMARY KEY (`_singleton`)\n) ENGINE=InnoDB"
    )
    assert create_table_sql(table, SQLITE)[0] == (
        'CREATE TABLE IF NOT EXISTS "db.#one" (\n"value" INT NOT NULL,\n'
        '"_singleton" INT NOT NULL DEFAULT \'1\',\nPRIMARY KEY ("_singleton")\n)'
    )
    assert table.lineage_rows() == [("#one", "_singleton", "db.#one._singleton")]


def test_singleton_matches_datajoint_declare() -> None:
    definition = "# one row\n---\nvalue = 3 : int16\n"
    expected = dj_declare.declare("`db`.`#one`", definition, {}, get_adapter("mysql"))[0]
    assert mysql_sql(resolve(definition, table_name="#one")) == expected


def test_auto_populated_table_refuses_a_native_key_attribute_unless_allowed() -> None:
    with pytest.raises(DataJointError, match="Auto-populated table `__r` has non-FK primary key"):
        resolve("-> Subject\nextra : int8\n", (SUBJECT,), table_name="__r", auto_populated=True)
    table = resolve(
        "-> Subject\nextra : int8\n",
        (SUBJECT,),
        table_name="__r",
        auto_populated=True,
        allow_native_pk=True,
    )
    assert table.primary_key == ("subject_id", "extra")


# ---- affinities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql_type", "affinity"),
    [
        ("int", "INT"),
        ("tinyint unsigned", "INT"),
        ("bigint auto_increment", "INT"),
        ("serial", "INT"),
        ("float", "REAL"),
        ("double", "REAL"),
        ("decimal(5,2)", "NUMERIC"),
        ("binary(16)", "BLOB"),
        ("longblob", "BLOB"),
        ("varchar(3)", "TEXT"),
        ("datetime(3)", "TEXT"),
        ("json", "TEXT"),
        ("enum('a')", "TEXT"),
    ],
)
def test_sqlite_affinity(sql_type: str, affinity: str) -> None:
    assert sqlite_affinity(sql_type) == affinity
