// Rows pasted from a spreadsheet: read as tab-separated text, checked here and then by the server
// in a dry run (every bad row marked with its reasons), and inserted only when all are good.
import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import type { Field } from "../../lib/forms";
import { pastedRows, type PastedRows } from "../../lib/formsPaste";
import { insertRows, invalidRows, type TableInfo } from "./api";
import { RowReport } from "./RowReport";

interface Props {
  table: TableInfo;
  fields: Field[];
  onInserted: () => void;
}

interface Checked {
  pasted: PastedRows;
  errors: Record<number, Record<string, string>>;
}

export function PasteRows({ table, fields, onInserted }: Props) {
  const { slug } = usePipeline();
  const [text, setText] = useState("");
  const [checked, setChecked] = useState<Checked | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const check = async () => {
    setFailure(null);
    setDone(null);
    setChecked(null);
    const pasted = pastedRows(text, fields);
    if (pasted.error) {
      setFailure(new Error(pasted.error));
      return;
    }
    // Cells the client could not read go to the server as typed: it reports on them too.
    const rows = pasted.parsed.map((parsed, index) => {
      const row = { ...parsed.row };
      for (const name of Object.keys(parsed.errors)) {
        if (name in pasted.texts[index]) row[name] = pasted.texts[index][name];
      }
      return row;
    });
    setBusy(true);
    try {
      const report = await insertRows(slug, table.schema, table.name, rows, true);
      const errors: Record<number, Record<string, string>> = {};
      for (const bad of report.errors) errors[bad.index] = { ...bad.errors };
      pasted.parsed.forEach((parsed, index) => {
        if (Object.keys(parsed.errors).length) errors[index] = { ...errors[index], ...parsed.errors };
      });
      setChecked({ pasted, errors });
    } catch (problem) {
      setFailure(problem);
    } finally {
      setBusy(false);
    }
  };

  const insert = async () => {
    if (!checked) return;
    setBusy(true);
    try {
      const rows = checked.pasted.parsed.map((parsed) => parsed.row);
      const result = await insertRows(slug, table.schema, table.name, rows, false);
      setDone(`Inserted ${result.inserted} ${result.inserted === 1 ? "row" : "rows"}.`);
      setChecked(null);
      setText("");
      onInserted();
    } catch (problem) {
      const bad = invalidRows(problem);
      if (bad) setChecked({ ...checked, errors: Object.fromEntries(bad.map((item) => [item.index, item.errors])) });
      else setFailure(problem);
    } finally {
      setBusy(false);
    }
  };

  const badCount = checked ? Object.keys(checked.errors).length : 0;
  return (
    <section className="paste">
      <label htmlFor="paste-rows">Paste rows</label>
      <p className="muted small">
        Tab-separated, as a spreadsheet copies cells. A first line of attribute names sets the columns; without
        it the columns are {fields.filter((f) => f.control !== "none" && f.control !== "file").map((f) => f.name).join(", ")}.
      </p>
      <textarea
        id="paste-rows"
        rows={5}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setChecked(null);
        }}
      />
      <div className="row">
        <button type="button" onClick={check} disabled={busy || !text.trim()}>
          Check rows (dry run)
        </button>
        <button type="button" className="primary" onClick={insert} disabled={busy || !checked || badCount > 0}>
          {checked ? `Insert ${checked.pasted.parsed.length} ${checked.pasted.parsed.length === 1 ? "row" : "rows"}` : "Insert rows"}
        </button>
      </div>
      <ErrorMessage error={failure} />
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {checked && (
        <RowReport columns={checked.pasted.columns} texts={checked.pasted.texts} errors={checked.errors} label="Pasted rows" />
      )}
    </section>
  );
}
