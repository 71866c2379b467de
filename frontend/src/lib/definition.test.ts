import { describe, expect, it } from "vitest";
import {
  isNullable,
  parseDefinition,
  parseLine,
  renderDefinition,
  renderItem,
  renderedLines,
  starterModel,
  type DefinitionModel,
} from "./definition";

/** Parse, render, parse again: the second model means what the first did, and rendering is
 * stable (rendering the re-parsed model gives the same text). */
function roundTrip(text: string): DefinitionModel {
  const model = parseDefinition(text);
  const rendered = renderDefinition(model);
  const again = parseDefinition(rendered);
  expect(strip(again)).toEqual(strip(model));
  expect(renderDefinition(again)).toBe(rendered);
  return model;
}

const strip = (model: DefinitionModel) => ({
  comment: model.comment,
  items: model.items.map((item) => ({ ...item, line: undefined })),
});

describe("attribute lines", () => {
  const cases: [string, object][] = [
    ["subject_id : int32", { name: "subject_id", type: "int32", default: null, comment: "" }],
    ["name : varchar(64)  # full name", { name: "name", type: "varchar(64)", comment: "full name" }],
    ["weight = null : float64", { name: "weight", default: "null", type: "float64" }],
    ["n = 5 : int16 # five", { name: "n", default: "5", type: "int16", comment: "five" }],
    [`note = "a: b # c" : varchar(32)`, { default: `"a: b # c"`, type: "varchar(32)" }],
    ["note = 'it''s' : varchar(9)", { default: "'it''s'", type: "varchar(9)" }],
    ["kind = 'x' : enum('x', 'y:z', 'w#v')  # one", { type: "enum('x', 'y:z', 'w#v')", comment: "one" }],
    ["price : decimal(10, 2)", { type: "decimal(10, 2)" }],
    ["at = CURRENT_TIMESTAMP : timestamp", { default: "CURRENT_TIMESTAMP", type: "timestamp" }],
    ["frame : <blob@raw>  # image", { type: "<blob@raw>", comment: "image" }],
    ["doc : <attach>", { type: "<attach>" }],
    ["meta = null : json", { type: "json", default: "null" }],
    ["tag : char(8)  # trailing ###", { comment: "trailing" }],
    ["id:int32#no spaces", { name: "id", type: "int32", comment: "no spaces" }],
  ];
  it.each(cases)("reads %s", (line, expected) => {
    const item = parseLine(line);
    expect(item).toMatchObject({ kind: "attribute", ...expected });
    const again = parseLine(renderItem(item));
    expect(again).toEqual(item);
  });

  it("knows null defaults make an attribute nullable", () => {
    const item = parseLine("x = NULL : int32");
    expect(item.kind === "attribute" && isNullable(item)).toBe(true);
    const other = parseLine("x = 0 : int32");
    expect(other.kind === "attribute" && isNullable(other)).toBe(false);
  });

  it("renders the canonical spacing", () => {
    expect(renderItem(parseLine("a=1:int8#c"))).toBe("a = 1 : int8  # c");
    expect(renderItem(parseLine("b : float32"))).toBe("b : float32");
  });
});

describe("foreign keys", () => {
  const cases: [string, object, string][] = [
    ["-> Subject", { table: "Subject", renames: [], nullable: false, unique: false }, "-> Subject"],
    ["->Subject", { table: "Subject" }, "-> Subject"],
    ["-> [nullable] Rig", { table: "Rig", nullable: true }, "-> [nullable] Rig"],
    ["-> [unique] Rig", { table: "Rig", unique: true }, "-> [unique] Rig"],
    ["-> [ Unique , NULLABLE ] Rig", { nullable: true, unique: true }, "-> [nullable, unique] Rig"],
    ["-> master", { table: "master" }, "-> master"],
    ["-> Session.Trial", { table: "Session.Trial" }, "-> Session.Trial"],
    ["-> lab.Subject", { table: "lab.Subject" }, "-> lab.Subject"],
    [
      "-> Subject.proj(animal='subject_id')",
      { table: "Subject", renames: [{ name: "animal", from: "subject_id" }] },
      "-> Subject.proj(animal='subject_id')",
    ],
    [
      `-> [nullable] lab.Rig.proj(backup = "rig", room_b='room')  # spare`,
      {
        table: "lab.Rig",
        nullable: true,
        comment: "spare",
        renames: [
          { name: "backup", from: "rig" },
          { name: "room_b", from: "room" },
        ],
      },
      "-> [nullable] lab.Rig.proj(backup='rig', room_b='room')  # spare",
    ],
    ["-> Subject.proj()", { table: "Subject", renames: [] }, "-> Subject"],
  ];
  it.each(cases)("reads %s", (line, expected, rendered) => {
    const item = parseLine(line);
    expect(item).toMatchObject({ kind: "foreign_key", ...expected });
    expect(renderItem(item)).toBe(rendered);
    expect(parseLine(rendered)).toEqual(item);
  });

  it("drops renames to the same name", () => {
    const item = parseLine("-> Subject.proj(subject_id='subject_id')");
    expect(renderItem(item)).toBe("-> Subject");
  });

  it.each(["-> [bogus] Rig", "-> [nullable Rig", "->", "-> Rig.proj(x=1)", "-> Rig.fetch()x"])(
    "keeps %s verbatim",
    (line) => {
      const item = parseLine(line);
      expect(item).toEqual({ kind: "raw", text: line });
      expect(renderItem(item)).toBe(line);
    },
  );

  it("is not fooled by an arrow inside a default or a comment", () => {
    expect(parseLine(`arrow = "->" : varchar(4)`)).toMatchObject({ kind: "attribute", default: `"->"` });
    expect(parseLine("x : int32  # a -> b")).toMatchObject({ kind: "attribute", comment: "a -> b" });
  });
});

describe("indexes", () => {
  it.each([
    ["index(a)", { unique: false, attributes: ["a"] }, "index(a)"],
    ["INDEX (a,b)", { unique: false, attributes: ["a", "b"] }, "index(a, b)"],
    ["unique index(name, born)", { unique: true, attributes: ["name", "born"] }, "unique index(name, born)"],
    ["unique  index ( x )  # by x", { unique: true, attributes: ["x"], comment: "by x" }, "unique index(x)  # by x"],
    ["index(a,)", { attributes: ["a"] }, "index(a)"],
  ])("reads %s", (line, expected, rendered) => {
    const item = parseLine(line);
    expect(item).toMatchObject({ kind: "index", ...expected });
    expect(renderItem(item)).toBe(rendered);
  });

  it("keeps an expression index verbatim", () => {
    expect(parseLine("index(lower(name))")).toEqual({ kind: "raw", text: "index(lower(name))" });
  });
});

describe("whole definitions", () => {
  const full = [
    "# a recording session",
    "-> Subject.proj(animal='subject_id')",
    "session : int16   # within the animal",
    "---",
    "-> [nullable] Rig",
    `note = "" : varchar(255)`,
    "# a comment line",
    "started = null : datetime(3)",
    "frame = null : <blob@raw>",
    "unique index(note)",
    "index(started, note)",
  ].join("\n");

  it("reads the table comment, the key and the secondary part", () => {
    const model = roundTrip(full);
    expect(model.comment).toBe("a recording session");
    expect(model.items.filter((i) => i.inKey).map((i) => i.kind)).toEqual(["foreign_key", "attribute"]);
    expect(model.items.filter((i) => !i.inKey).map((i) => i.kind)).toEqual([
      "foreign_key",
      "attribute",
      "comment",
      "attribute",
      "attribute",
      "index",
      "index",
    ]);
    expect(model.items[1].line).toBe(3);
  });

  it("renders the canonical text", () => {
    expect(renderDefinition(parseDefinition(full))).toBe(
      [
        "# a recording session",
        "-> Subject.proj(animal='subject_id')",
        "session : int16  # within the animal",
        "---",
        "-> [nullable] Rig",
        `note = "" : varchar(255)`,
        "# a comment line",
        "started = null : datetime(3)",
        "frame = null : <blob@raw>",
        "unique index(note)",
        "index(started, note)",
        "",
      ].join("\n"),
    );
  });

  it.each([
    "subject_id : int32\n",
    "subject_id : int32\n---\n",
    "---\nvalue : float64\n",
    "# only a comment\n",
    "",
    "\n\n  a : int8  \n\n  ---  \n  b : int8\n",
    "-> Session\n----------\nscore : float64\n",
    "# comment\n# second comment in the key\nid : int32\n",
    "id : int32\nthis is not a line\n---\n???\n",
  ])("round-trips %j", (text) => {
    roundTrip(text);
  });

  it("keeps a leading comment line from becoming the table comment", () => {
    const model = parseDefinition("x : int8\n");
    model.items.unshift({ kind: "comment", text: "note", inKey: true });
    const text = renderDefinition(model);
    expect(text).toBe("#\n# note\nx : int8\n");
    expect(parseDefinition(text).comment).toBe("");
  });

  it("leaves out the divider when nothing is below it", () => {
    expect(renderDefinition(parseDefinition("a : int8\n---\n"))).toBe("a : int8\n");
  });

  it("keeps unreadable lines where they were", () => {
    const text = "id : int32\nid2 int32\n---\nx : \n";
    const model = roundTrip(text);
    expect(model.items.map((i) => [i.kind, i.inKey])).toEqual([
      ["attribute", true],
      ["raw", true],
      ["raw", false],
    ]);
    expect(renderDefinition(model)).toBe("id : int32\nid2 int32\n---\nx :\n");
  });

  it("starts tables with a key or, when filled from parents, with a comment", () => {
    expect(renderDefinition(starterModel("subject_id", "Manual"))).toBe("subject_id : int32\n");
    expect(renderDefinition(starterModel("species", "Lookup"))).toBe("species : varchar(32)\n");
    expect(renderDefinition(starterModel("x", "Computed"))).toBe("# Computed table\n");
    expect(renderDefinition(starterModel("x", "Part", "trials"))).toBe("# trials\n");
  });
});

describe("line numbers", () => {
  it("gives each item its line in the rendered text", () => {
    const model = parseDefinition("# c\na : int8\n---\nb : int8\nindex(b)\n");
    model.items.push({ kind: "attribute", name: "k", type: "int8", default: null, comment: "", inKey: true });
    const text = renderDefinition(model).split("\n");
    const lines = renderedLines(model);
    model.items.forEach((item, i) => expect(text[lines[i] - 1]).toBe(renderItem(item)));
    expect(lines).toEqual([2, 5, 6, 3]);
  });

  it("matches the parsed lines of canonical text", () => {
    const model = parseDefinition("a : int8\nb : int8\n---\nc : int8\n");
    expect(renderedLines(model)).toEqual(model.items.map((item) => item.line));
  });
});
