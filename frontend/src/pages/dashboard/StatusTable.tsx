// Every populated table in one table: the same live state as the diagram, each name a button
// that selects the table (the keyboard's way in).
import type { Run, TableStatus } from "./api";
import { tableKey } from "./diagramData";
import { percent } from "./progress";

export function StatusTable({
  status,
  activeRun,
  selected,
  onSelect,
}: {
  status: TableStatus[];
  activeRun: (schema: string, table: string) => Run | undefined;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  if (status.length === 0) return <p className="muted">No computed or imported table.</p>;
  return (
    <table className="grid status-table" aria-label="Populated tables">
      <thead>
        <tr>
          <th>Table</th>
          <th>Rows</th>
          <th>Remaining</th>
          <th>Running</th>
          <th>Errors</th>
        </tr>
      </thead>
      <tbody>
        {status.map((table) => {
          const key = tableKey(table.schema, table.table);
          const run = activeRun(table.schema, table.table);
          const errors = Object.values(table.errors_by_type).reduce((a, b) => a + b, 0);
          return (
            <tr key={key} aria-selected={selected === key}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(key)}>
                  {table.table}
                </button>{" "}
                <span className="muted">{table.tier}</span>
              </td>
              <td>{table.rows.toLocaleString()}</td>
              <td>{table.remaining.toLocaleString()}</td>
              <td>{run ? `run ${run.id}: ${percent(run)}%` : "—"}</td>
              <td className={errors > 0 ? "failed-text" : undefined}>{errors}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
