// The outcome of a dry run: how many rows are good, and each bad row with its reasons (with the
// cells as given, when the page read them itself).
interface Props {
  label: string;
  /** Row index -> attribute ("*": the row) -> reason. */
  errors: Record<number, Record<string, string>>;
  columns?: string[];
  texts?: Record<string, string>[];
  /** Rows checked (when the cells are not known here). */
  count?: number;
  /** How a row is numbered for the user (default: from 1). */
  rowNumber?: (index: number) => number;
  /** "Row", or "Line" for a file's lines. */
  rowName?: string;
}

export function RowReport({ label, errors, columns, texts, count, rowNumber = (index) => index + 1, rowName = "Row" }: Props) {
  const total = texts?.length ?? count ?? 0;
  const bad = Object.keys(errors).length;
  const summary =
    bad === 0
      ? `${total === 1 ? "The row is" : `All ${total} rows are`} good: nothing was written yet.`
      : `${bad} of ${total} rows cannot be inserted; nothing was written.`;
  const reasons = (index: number) =>
    Object.entries(errors[index] ?? {})
      .map(([name, reason]) => (name === "*" ? reason : `${name}: ${reason}`))
      .join("; ");
  return (
    <div className="row-report">
      <p role="status" className={bad ? "bad" : "ok"}>
        {summary}
      </p>
      {texts && columns ? (
        <table className="grid" aria-label={label}>
          <thead>
            <tr>
              <th>#</th>
              {columns.map((name) => (
                <th key={name}>{name}</th>
              ))}
              <th>Check</th>
            </tr>
          </thead>
          <tbody>
            {texts.map((row, index) => (
              <tr key={index} className={errors[index] ? "bad-row" : "good-row"} aria-invalid={errors[index] ? true : undefined}>
                <td>{rowNumber(index)}</td>
                {columns.map((name) => (
                  <td key={name} className={errors[index]?.[name] ? "bad-cell" : undefined}>
                    {row[name]}
                  </td>
                ))}
                <td>{errors[index] ? reasons(index) : "ok"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        bad > 0 && (
          <ul aria-label={label}>
            {Object.keys(errors)
              .map(Number)
              .sort((a, b) => a - b)
              .map((index) => (
                <li key={index}>
                  {rowName} {rowNumber(index)}: {reasons(index)}
                </li>
              ))}
          </ul>
        )
      )}
    </div>
  );
}
