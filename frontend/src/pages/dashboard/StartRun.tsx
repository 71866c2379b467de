// Start a populate run of one table: an optional restriction (one condition row, or raw JSON
// checked before it is sent) and how many workers. Without registered make code the table cannot
// run: the form says so and offers the module skeleton to write.
import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { ShowCode } from "../../components/ShowCode";
import type { DashboardApi, Run, TableStatus } from "./api";
import { jsonCondition, OPERATORS, simpleCondition, type Operator } from "./restriction";

const MAX_WORKERS = 64;

export function StartRun({
  api,
  table,
  keyNames,
  onStarted,
}: {
  api: DashboardApi;
  table: TableStatus;
  keyNames: string[];
  onStarted: (run: Run) => void;
}) {
  const [mode, setMode] = useState<"row" | "json">("row");
  const [attribute, setAttribute] = useState(keyNames[0] ?? "");
  const [operator, setOperator] = useState<Operator>("=");
  const [value, setValue] = useState("");
  const [json, setJson] = useState("");
  const [workers, setWorkers] = useState("1");
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [skeleton, setSkeleton] = useState<string | null>(null);

  useEffect(() => {
    if (table.registered) return;
    let live = true;
    api.code(table.schema, table.table).then(
      (code) => live && setSkeleton(code.skeleton ?? null),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [api, table.schema, table.table, table.registered]);

  if (!table.registered) {
    return (
      <div className="start-run">
        <p role="note">
          {table.table} has no registered make code: write its module and list it in
          JOINERY_PIPELINE_MODULES, then it can be populated here.
        </p>
        {skeleton && <ShowCode code={skeleton} label="Show the code to write" />}
        <ErrorMessage error={error} />
      </div>
    );
  }

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    const parsed = mode === "row" ? simpleCondition(attribute, operator, value) : jsonCondition(json);
    const count = Number(workers);
    if (!parsed.ok) {
      setProblem(parsed.error);
      return;
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
      setProblem(`Workers: a whole number from 1 to ${MAX_WORKERS}.`);
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      const run = await api.start({
        schema: table.schema,
        table: table.table,
        restriction: parsed.condition,
        workers: count,
      });
      onStarted(run);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="start-run stack" onSubmit={(e) => void submit(e)} aria-label={`Populate ${table.table}`}>
      <fieldset className="row">
        <legend>Restriction (optional)</legend>
        <label className="inline">
          <input type="radio" name="mode" checked={mode === "row"} onChange={() => setMode("row")} />
          Condition
        </label>
        <label className="inline">
          <input type="radio" name="mode" checked={mode === "json"} onChange={() => setMode("json")} />
          JSON
        </label>
      </fieldset>
      {mode === "row" ? (
        <div className="row">
          <label>
            Attribute
            <select value={attribute} onChange={(e) => setAttribute(e.target.value)}>
              {keyNames.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Operator
            <select value={operator} onChange={(e) => setOperator(e.target.value as Operator)}>
              {OPERATORS.map((op) => (
                <option key={op}>{op}</option>
              ))}
            </select>
          </label>
          <label>
            Value
            <input
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={operator === "in" ? "1, 2, 3" : "any"}
              size={10}
            />
          </label>
        </div>
      ) : (
        <label>
          Restriction (JSON)
          <textarea
            rows={4}
            value={json}
            onChange={(e) => setJson(e.target.value)}
            aria-invalid={problem !== null}
            placeholder='{"attribute": "subject_id", "operator": "=", "value": 1}'
          />
        </label>
      )}
      <div className="row">
        <label>
          Workers
          <input
            type="number"
            min={1}
            max={MAX_WORKERS}
            value={workers}
            onChange={(e) => setWorkers(e.target.value)}
            size={4}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Start populate
        </button>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}
