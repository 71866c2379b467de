// A select of the pipeline's tables, grouped by schema (parts under their master's name).
import type { TableInfo } from "../../api/tables";
import type { TableRef } from "../../lib/query";
import { tableLabel } from "./api";

export function TablePicker({
  tables,
  value,
  onChange,
  label = "Table",
}: {
  tables: TableInfo[];
  value: TableRef | null;
  onChange: (table: TableRef) => void;
  label?: string;
}) {
  const schemas = [...new Set(tables.map((t) => t.schema))];
  return (
    <label>
      {label}
      <select
        aria-label={label}
        value={value ? tableLabel(value) : ""}
        onChange={(event) => {
          const found = tables.find((t) => tableLabel(t) === event.target.value);
          if (found) onChange({ schema: found.schema, name: found.name });
        }}
      >
        <option value="" disabled>
          Choose a table…
        </option>
        {schemas.map((schema) => (
          <optgroup key={schema} label={schema}>
            {tables
              .filter((t) => t.schema === schema)
              .map((t) => (
                <option key={tableLabel(t)} value={tableLabel(t)}>
                  {t.name} ({t.tier})
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
