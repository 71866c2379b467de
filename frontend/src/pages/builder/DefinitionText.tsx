// The definition as text, editable: a gutter of line numbers with the API's errors pinned to
// their lines, and the errors listed below.
import type { DefinitionError } from "./api";

export function DefinitionText({
  text,
  errors,
  readOnly,
  onChange,
}: {
  text: string;
  errors: DefinitionError[];
  readOnly: boolean;
  onChange: (text: string) => void;
}) {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const byLine = new Map<number, string>();
  for (const error of errors) if (error.line) byLine.set(error.line, error.message);
  return (
    <div className="definition-text">
      <div className="editor">
        <div className="gutter" aria-hidden="true">
          {lines.map((_, i) => (
            <div key={i} className={byLine.has(i + 1) ? "line-error" : undefined} title={byLine.get(i + 1)}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          aria-label="Definition text"
          spellCheck={false}
          wrap="off"
          rows={Math.max(4, lines.length + 1)}
          value={text}
          readOnly={readOnly}
          aria-invalid={errors.length > 0}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
      {errors.length > 0 && (
        <ul className="text-errors" aria-label="Errors of this definition">
          {errors.map((error, i) => (
            <li key={i}>
              {error.line ? <strong>line {error.line}: </strong> : null}
              {error.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
