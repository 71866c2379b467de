// Rows pasted from a spreadsheet: tab-separated lines, cells with tabs, newlines or quotes quoted
// the way spreadsheets copy them ("a""b"). A first line naming only attributes is the header;
// without one, cells follow the heading order of the typed fields.
import { parseRow, typedFields, type Field, type ParsedRow } from "./forms";

/** Tab-separated text -> lines of cells (a trailing empty line is dropped). */
export function parseTsv(text: string): string[][] {
  const lines: string[][] = [];
  let cells: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  const source = text.replace(/\r\n?/g, "\n");
  while (i < source.length) {
    const char = source[i];
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else cell += char;
      i += 1;
      continue;
    }
    if (char === '"' && cell === "") quoted = true;
    else if (char === "\t") {
      cells.push(cell);
      cell = "";
    } else if (char === "\n") {
      cells.push(cell);
      lines.push(cells);
      cells = [];
      cell = "";
    } else cell += char;
    i += 1;
  }
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    lines.push(cells);
  }
  return lines.filter((line) => line.some((value) => value.trim() !== ""));
}

export interface PastedRows {
  /** The attribute of each column. */
  columns: string[];
  /** Whether the first line named the columns. */
  header: boolean;
  /** The cells of each row, by attribute. */
  texts: Record<string, string>[];
  /** Each row parsed: its JSON row and the client's objections. */
  parsed: ParsedRow[];
  /** Why the text cannot be read at all (then there are no rows). */
  error: string | null;
}

/** Read pasted text against the table's fields. */
export function pastedRows(text: string, fields: Field[]): PastedRows {
  const typed = typedFields(fields);
  const names = new Set(typed.map((field) => field.name));
  const lines = parseTsv(text);
  const empty = { columns: [], header: false, texts: [], parsed: [] };
  if (lines.length === 0) return { ...empty, error: "Nothing pasted." };
  const first = lines[0].map((cell) => cell.trim());
  const header = first.every((cell) => names.has(cell)) && new Set(first).size === first.length;
  const columns = header ? first : typed.map((field) => field.name);
  const body = header ? lines.slice(1) : lines;
  if (body.length === 0) return { ...empty, error: "Only a header line: paste rows below it." };
  const texts: Record<string, string>[] = [];
  const parsed: ParsedRow[] = [];
  const used = typed.filter((field) => columns.includes(field.name));
  for (const line of body) {
    const row: Record<string, string> = {};
    columns.forEach((name, index) => {
      row[name] = line[index] ?? "";
    });
    texts.push(row);
    const result = parseRow(used, row);
    if (line.length > columns.length) {
      result.errors["*"] = `${line.length} cells where ${columns.length} columns were expected.`;
    }
    parsed.push(result);
  }
  return { columns, header, texts, parsed, error: null };
}
