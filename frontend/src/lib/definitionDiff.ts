// Line diffs of definition texts (revision history: what changed in each table).

export interface DiffLine {
  op: "same" | "added" | "removed";
  text: string;
}

/** The lines of `before` and `after` as kept, removed and added lines (longest common
 * subsequence; definitions are short, so the quadratic table is small). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const common: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      common[i][j] =
        a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: "same", text: a[i] });
      i += 1;
      j += 1;
    } else if (j < b.length && (i === a.length || common[i][j + 1] > common[i + 1][j])) {
      out.push({ op: "added", text: b[j] });
      j += 1;
    } else {
      out.push({ op: "removed", text: a[i] });
      i += 1;
    }
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n").map((line) => line.trimEnd());
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  return lines;
}

export interface SnapshotTable {
  schema: string;
  class_name: string;
  tier: string;
  definition: string;
}

export interface TableDiff {
  id: string;
  change: "added" | "removed" | "changed" | "same";
  lines: DiffLine[];
}

/** Per table (by schema and class name): added, removed, changed (with its line diff), same. */
export function diffSnapshots(before: SnapshotTable[], after: SnapshotTable[]): TableDiff[] {
  const id = (t: SnapshotTable) => `${t.schema}.${t.class_name}`;
  const old = new Map(before.map((t) => [id(t), t]));
  const now = new Map(after.map((t) => [id(t), t]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort();
  return ids.map((key) => {
    const a = old.get(key);
    const b = now.get(key);
    const lines = diffLines(a?.definition ?? "", b?.definition ?? "");
    if (!a) return { id: key, change: "added", lines };
    if (!b) return { id: key, change: "removed", lines };
    const same = a.tier === b.tier && lines.every((line) => line.op === "same");
    return { id: key, change: same ? "same" : "changed", lines };
  });
}
