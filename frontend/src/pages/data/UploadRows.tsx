// Rows from a CSV or JSON file: a dry run first (each bad row listed with its line and reasons),
// then the insert, all or nothing.
import { useState } from "react";
import type { TableInfo } from "../../api/tables";
import { usePipeline } from "../../components/pipeline";
import { uploadRows, type InsertOut } from "./api";
import { InsertOutcome } from "./InsertOutcome";
import { rowsOf } from "./plural";
import { RowReport } from "./RowReport";
import { useInsert } from "./useInsert";

interface Props {
  table: TableInfo;
  onInserted: () => void;
}

export function UploadRows({ table, onInserted }: Props) {
  const { slug } = usePipeline();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<InsertOut | null>(null);
  const { failure, done, busy, run } = useInsert();

  const send = async (dryRun: boolean) => {
    if (!file) return;
    await run(
      async () => {
        const result = await uploadRows(slug, table.schema, table.name, file, dryRun);
        if (dryRun) {
          setReport(result);
          return null;
        }
        setReport(null);
        onInserted();
        return `Inserted ${rowsOf(result.inserted)} from ${file.name}.`;
      },
      (bad) => {
        if (!report) return false;
        setReport({ ...report, errors: bad });
        return true;
      },
    );
  };

  const errors = Object.fromEntries((report?.errors ?? []).map((item) => [item.index, item.errors]));
  const csv = file ? !file.name.toLowerCase().endsWith(".json") : true;
  return (
    <section className="upload">
      <label htmlFor="upload-rows">CSV or JSON file</label>
      <p className="muted small">
        CSV: a header of attribute names, an empty cell is null. JSON: a list of rows.
      </p>
      <div className="row">
        <input
          id="upload-rows"
          type="file"
          accept=".csv,.json,text/csv,application/json"
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setReport(null);
          }}
        />
        <button type="button" onClick={() => send(true)} disabled={busy || !file}>
          Check file (dry run)
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => send(false)}
          disabled={busy || !report || report.errors.length > 0}
        >
          {report ? `Insert ${rowsOf(report.count)} from file` : "Insert rows from file"}
        </button>
      </div>
      <InsertOutcome failure={failure} done={done} />
      {report && (
        <RowReport
          label="File rows"
          errors={errors}
          count={report.count}
          // A CSV's data rows start on line 2, after the header.
          rowNumber={(index) => (csv ? index + 2 : index + 1)}
          rowName={csv ? "Line" : "Row"}
        />
      )}
    </section>
  );
}
