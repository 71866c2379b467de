// "Add a table": its name, tier, schema (when the pipeline has several) and, for a part, its
// master.
import { useState } from "react";
import { nameProblem, type BuilderTable } from "./tables";

const TIERS = ["Manual", "Lookup", "Imported", "Computed", "Part"];

export interface NewTable {
  schema: string;
  name: string;
  tier: string;
  master: string | null;
}

export function AddTableForm({
  schemas,
  tables,
  onAdd,
  onCancel,
}: {
  schemas: string[];
  tables: BuilderTable[];
  onAdd: (table: NewTable) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState("");
  const [tier, setTier] = useState("Manual");
  const [schema, setSchema] = useState(schemas[0] ?? "");
  const masters = tables.filter((t) => t.schema === schema && !t.master).map((t) => t.className);
  const [master, setMaster] = useState("");
  const chosenMaster = tier === "Part" ? master || masters[0] || "" : null;
  const className = chosenMaster ? `${chosenMaster}.${name}` : name;
  const problem = name
    ? nameProblem(tables, schema, className)
    : null;
  const blocked = !name || Boolean(problem) || (tier === "Part" && !chosenMaster) || !schema;
  return (
    <form
      className="add-table"
      aria-label="Add a table"
      onSubmit={(e) => {
        e.preventDefault();
        if (!blocked) onAdd({ schema, name, tier, master: chosenMaster });
      }}
    >
      <label>
        New table name
        <input value={name} autoFocus placeholder="Subject" onChange={(e) => setName(e.target.value.trim())} aria-invalid={Boolean(problem)} />
      </label>
      <label>
        New table tier
        <select value={tier} onChange={(e) => setTier(e.target.value)}>
          {TIERS.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      {schemas.length > 1 && (
        <label>
          Schema
          <select value={schema} onChange={(e) => setSchema(e.target.value)}>
            {schemas.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      )}
      {tier === "Part" && (
        <label>
          Master
          <select value={chosenMaster ?? ""} onChange={(e) => setMaster(e.target.value)}>
            {masters.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" className="primary" disabled={blocked}>
        Add
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {problem && <span className="field-error">{problem}</span>}
      {tier === "Part" && !masters.length && <span className="field-error">A part needs a master table first.</span>}
    </form>
  );
}
