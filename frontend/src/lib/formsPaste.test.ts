import { describe, expect, it } from "vitest";
import { fieldsOf, type HeadingAttribute } from "./forms";
import { parseTsv, pastedRows } from "./formsPaste";

const attr = (name: string, type: string, more: Partial<HeadingAttribute> = {}): HeadingAttribute => ({
  name,
  type,
  entry: "value",
  kind: "plain",
  in_key: false,
  nullable: false,
  default: null,
  comment: "",
  ...more,
});

const session = fieldsOf([
  attr("subject_id", "int32", { in_key: true }),
  attr("session_idx", "int16", { in_key: true }),
  attr("session_date", "date"),
  attr("duration", "float64"),
]);

describe("parseTsv", () => {
  it("splits lines and tabs, dropping blank lines", () => {
    expect(parseTsv("a\tb\r\nc\td\n\n")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });
  it("reads quoted cells holding tabs, newlines and doubled quotes", () => {
    expect(parseTsv('"x\ty"\t"say ""hi"""\n"two\nlines"\tz')).toEqual([
      ["x\ty", 'say "hi"'],
      ["two\nlines", "z"],
    ]);
  });
  it("keeps empty cells", () => {
    expect(parseTsv("1\t\t3")).toEqual([["1", "", "3"]]);
  });
});

describe("pastedRows", () => {
  it("reads a header line naming the columns, in any order", () => {
    const pasted = pastedRows("duration\tsubject_id\tsession_idx\tsession_date\n2.5\t7\t1\t2026-06-01", session);
    expect(pasted.header).toBe(true);
    expect(pasted.columns).toEqual(["duration", "subject_id", "session_idx", "session_date"]);
    expect(pasted.parsed).toEqual([
      { row: { subject_id: 7, session_idx: 1, session_date: "2026-06-01", duration: 2.5 }, errors: {} },
    ]);
  });

  it("without a header, takes the heading order and marks each bad row", () => {
    const pasted = pastedRows("7\t1\t2026-06-01\t2.5\n7\t99999\t2026-06-31\tlong", session);
    expect(pasted.header).toBe(false);
    expect(pasted.parsed[0].errors).toEqual({});
    expect(pasted.parsed[1].errors).toEqual({
      session_idx: "Out of range for int16: -32768 to 32767.",
      session_date: "A date (YYYY-MM-DD).",
      duration: "A number.",
    });
    expect(pasted.texts[1].duration).toBe("long");
  });

  it("flags a line with more cells than columns and a missing cell", () => {
    const pasted = pastedRows("7\t1\t2026-06-01\t2.5\textra\n7\t2\t2026-06-01", session);
    expect(pasted.parsed[0].errors["*"]).toBe("5 cells where 4 columns were expected.");
    expect(pasted.parsed[1].errors).toEqual({ duration: "Required." });
  });

  it("says when there is nothing to read", () => {
    expect(pastedRows(" \n", session).error).toBe("Nothing pasted.");
    expect(pastedRows("subject_id\tsession_idx", session).error).toMatch(/Only a header/);
  });
});
