// Revision history: every applied revision, a line diff of each table between any two (or a
// revision and the current drafts), and "restore as draft".
import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { diffSnapshots, type SnapshotTable, type TableDiff } from "../../lib/definitionDiff";
import type { DefinitionsApi, Revision, SnapshotEntry } from "./api";
import { Modal } from "./Modal";
import type { BuilderTable } from "./tables";

const CURRENT = "current";

export function HistoryDialog({
  api,
  tables,
  canEdit,
  onRestored,
  onClose,
}: {
  api: DefinitionsApi;
  tables: BuilderTable[];
  canEdit: boolean;
  onRestored: () => void;
  onClose: () => void;
}) {
  const [revisions, setRevisions] = useState<Revision[] | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState(CURRENT);
  const [diff, setDiff] = useState<TableDiff[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.revisions().then((list) => {
      setRevisions(list);
      if (list.length) setFrom(String(list[0].number));
    }, setError);
  }, [api]);

  useEffect(() => {
    if (!from) return;
    let live = true;
    const current: SnapshotTable[] = tables.map((t) => ({
      schema: t.schema,
      class_name: t.className,
      tier: t.tier,
      definition: t.definition,
    }));
    const load = async (which: string) =>
      which === CURRENT
        ? current
        : (((await api.revision(Number(which))).snapshot ?? []) as SnapshotEntry[]);
    Promise.all([load(from), load(to)]).then(
      ([a, b]) => live && setDiff(diffSnapshots(a, b)),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [api, from, to, tables]);

  const restore = async (number: number) => {
    try {
      await api.restore(number);
      onRestored();
      onClose();
    } catch (failure) {
      setError(failure);
    }
  };

  const choices = [
    ...(revisions ?? []).map((r) => ({ value: String(r.number), label: `revision ${r.number}` })),
    { value: CURRENT, label: "current drafts" },
  ];
  return (
    <Modal title="Revision history" onClose={onClose} wide>
      {revisions && revisions.length === 0 && <p className="muted">Nothing has been applied yet.</p>}
      {revisions && revisions.length > 0 && (
        <table className="grid" aria-label="Revisions">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Who</th>
              <th>Message</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {revisions.map((r) => (
              <tr key={r.number}>
                <td>{r.number}</td>
                <td>{r.created_at ? new Date(r.created_at).toLocaleString() : ""}</td>
                <td>{r.author ?? ""}</td>
                <td>{r.message}</td>
                <td>
                  {canEdit && (
                    <button type="button" onClick={() => void restore(r.number)}>
                      Restore revision {r.number} as draft
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revisions && revisions.length > 0 && (
        <>
          <div className="row">
            <RevisionPicker text="Compare" label="Compare from" value={from} choices={choices} onChange={setFrom} />
            <RevisionPicker text="with" label="Compare with" value={to} choices={choices} onChange={setTo} />
          </div>
          {diff && <DiffView diff={diff} />}
        </>
      )}
      <ErrorMessage error={error} />
    </Modal>
  );
}

function DiffView({ diff }: { diff: TableDiff[] }) {
  const changed = diff.filter((d) => d.change !== "same");
  if (!changed.length) return <p className="muted">No differences.</p>;
  return (
    <div className="diff" aria-label="Differences">
      {changed.map((table) => (
        <section key={table.id}>
          <h3>
            {table.id} <span className={`change-${table.change}`}>{table.change}</span>
          </h3>
          <pre className="code">
            {table.lines.map((line, i) => (
              <div key={i} className={`diff-${line.op}`}>
                {line.op === "added" ? "+ " : line.op === "removed" ? "- " : "  "}
                {line.text}
              </div>
            ))}
          </pre>
        </section>
      ))}
    </div>
  );
}

/** One side of the comparison: a revision, or the current drafts. */
function RevisionPicker({
  text,
  label,
  value,
  choices,
  onChange,
}: {
  text: string;
  label: string;
  value: string;
  choices: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <label className="inline">
      {text}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
