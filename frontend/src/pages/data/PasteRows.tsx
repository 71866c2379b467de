// Rows pasted from a spreadsheet: read as tab-separated text, checked here and then by the server
// in a dry run (every bad row marked with its reasons), and inserted only when all are good.
import { useState } from "react";
import type { TableInfo } from "../../api/tables";
import { usePipeline } from "../../components/pipeline";
import type { Field } from "../../lib/forms";
import { pastedRows, type PastedRows } from "../../lib/formsPaste";
import { insertRows } from "./api";
import { InsertOutcome } from "./InsertOutcome";
import { rowsOf } from "./plural";
import { RowReport } from "./RowReport";
import { useInsert } from "./useInsert";

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
  const { failure, done, busy, run } = useInsert();

  const check = () => {
    setChecked(null);
    return run(async () => {
      const pasted = pastedRows(text, fields);
      if (pasted.error) throw new Error(pasted.error);
      // Cells the client could not read go to the server as typed: it reports on them too.
      const rows = pasted.parsed.map((parsed, index) => {
        const row = { ...parsed.row };
        for (const name of Object.keys(parsed.errors)) {
          if (name in pasted.texts[index]) row[name] = pasted.texts[index][name];
        }
        return row;
      });
      const report = await insertRows(slug, table.schema, table.name, rows, true);
      const errors: Record<number, Record<string, string>> = {};
      for (const bad of report.errors) errors[bad.index] = { ...bad.errors };
      pasted.parsed.forEach((parsed, index) => {
        if (Object.keys(parsed.errors).length) errors[index] = { ...errors[index], ...parsed.errors };
      });
      setChecked({ pasted, errors });
      return null;
    });
  };

  const insert = async () => {
    if (!checked) return;
    await run(
      async () => {
        const rows = checked.pasted.parsed.map((parsed) => parsed.row);
        const result = await insertRows(slug, table.schema, table.name, rows, false);
        setChecked(null);
        setText("");
        onInserted();
        return `Inserted ${rowsOf(result.inserted)}.`;
      },
      (bad) => {
        setChecked({ ...checked, errors: Object.fromEntries(bad.map((item) => [item.index, item.errors])) });
        return true;
      },
    );
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
          {checked ? `Insert ${rowsOf(checked.pasted.parsed.length)}` : "Insert rows"}
        </button>
      </div>
      <InsertOutcome failure={failure} done={done} />
      {checked && (
        <RowReport columns={checked.pasted.columns} texts={checked.pasted.texts} errors={checked.errors} label="Pasted rows" />
      )}
    </section>
  );
}
