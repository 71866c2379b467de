// Rows from a CSV or JSON file: a dry run first (each bad row listed with its line and reasons),
// then the insert, all or nothing.
import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { invalidRows, uploadRows, type InsertOut, type TableInfo } from "./api";
import { RowReport } from "./RowReport";

interface Props {
  table: TableInfo;
  onInserted: () => void;
}

export function UploadRows({ table, onInserted }: Props) {
  const { slug } = usePipeline();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<InsertOut | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setFailure(null);
    setDone(null);
    setBusy(true);
    try {
      const result = await uploadRows(slug, table.schema, table.name, file, dryRun);
      if (dryRun) setReport(result);
      else {
        setReport(null);
        setDone(`Inserted ${result.inserted} ${result.inserted === 1 ? "row" : "rows"} from ${file.name}.`);
        onInserted();
      }
    } catch (problem) {
      const bad = invalidRows(problem);
      if (bad && report) setReport({ ...report, errors: bad });
      else setFailure(problem);
    } finally {
      setBusy(false);
    }
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
          {report ? `Insert ${report.count} ${report.count === 1 ? "row" : "rows"} from file` : "Insert rows from file"}
        </button>
      </div>
      <ErrorMessage error={failure} />
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
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
