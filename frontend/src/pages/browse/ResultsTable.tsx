// One page of a query's rows: blobs show their size, JSON values their text.
import type { QueryResult } from "./api";

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    const blob = value as { blob?: boolean; size?: number | null };
    if (blob.blob) return `<blob ${blob.size ?? "?"} bytes>`;
    return JSON.stringify(value);
  }
  return String(value);
}

export function ResultsTable({ result }: { result: QueryResult }) {
  const key = new Set(result.primary_key);
  return (
    <div className="browse-results">
      <table className="grid" aria-label="Rows">
        <thead>
          <tr>
            {result.columns.map((column) => (
              <th key={column.name} title={column.type} className={key.has(column.name) ? "key" : ""}>
                {column.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, index) => (
            <tr key={index}>
              {result.columns.map((column) => (
                <td key={column.name}>{cell(row[column.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {result.rows.length === 0 && <p className="muted">No rows match.</p>}
    </div>
  );
}
