// The entry form of one table, generated from its heading: a searchable select per foreign key,
// one control per other attribute. Client checks run first (each bad field marked, nothing sent);
// the server's objections come back pinned to their fields. A refused row writes nothing.
import { useState, type FormEvent } from "react";
import type { TableInfo } from "../../api/tables";
import { usePipeline } from "../../components/pipeline";
import { parseRow, type Field } from "../../lib/forms";
import type { ForeignKey } from "../../lib/formsForeignKeys";
import { fileValue, insertRows, type Row } from "./api";
import { FieldInput } from "./FieldInput";
import { ForeignKeySelect } from "./ForeignKeySelect";
import { InsertOutcome } from "./InsertOutcome";
import { useInsert } from "./useInsert";

interface Props {
  table: TableInfo;
  fields: Field[];
  foreignKeys: ForeignKey[];
  onInserted: (row: Row) => void;
}

interface Pick {
  value: string;
  values: Row | null;
}

const ROW = "*";

export function RowForm({ table, fields, foreignKeys, onInserted }: Props) {
  const { slug } = usePipeline();
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<Record<string, File | null>>({});
  const [picks, setPicks] = useState<Record<number, Pick>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { failure, done, busy, run } = useInsert();
  const [formKey, setFormKey] = useState(0);

  const inForeignKey = new Set(foreignKeys.flatMap((fk) => Object.keys(fk.attrMap)));
  const plain = fields.filter((field) => !inForeignKey.has(field.name));
  const fkError = (fk: ForeignKey) =>
    Object.keys(fk.attrMap)
      .map((name) => errors[name])
      .filter(Boolean)
      .join(" ") || undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      async () => {
        const extra: Row = {};
        foreignKeys.forEach((fk, index) => {
          const values = picks[index]?.values;
          for (const name of Object.keys(fk.attrMap)) extra[name] = values ? values[name] : null;
        });
        const { row, errors: found } = parseRow(fields, texts, extra);
        for (const field of fields) {
          const file = files[field.name];
          if (field.control === "file" && file) {
            row[field.name] = await fileValue(file);
            delete found[field.name];
          }
        }
        setErrors(found);
        if (Object.keys(found).length > 0) return null;
        await insertRows(slug, table.schema, table.name, [row], false);
        const key = table.primary_key.map((name) => `${name}=${JSON.stringify(row[name])}`).join(", ");
        setTexts({});
        setFiles({});
        setPicks({});
        setErrors({});
        setFormKey((value) => value + 1);
        onInserted(row);
        return `Inserted ${table.name} ${key}.`;
      },
      (bad) => {
        if (bad.length === 0) return false;
        setErrors(bad[0].errors);
        return true;
      },
    );
  };

  const rowError = errors[ROW];
  const unknownErrors = Object.entries(errors).filter(
    ([name]) => name !== ROW && !fields.some((field) => field.name === name),
  );
  const count = Object.keys(errors).length;
  return (
    <form className="row-form" onSubmit={submit} noValidate aria-label={`New ${table.name}`} key={formKey}>
      <h3>New {table.name}</h3>
      {foreignKeys.map((fk, index) => (
        <ForeignKeySelect
          key={Object.keys(fk.attrMap).join(",")}
          fk={fk}
          value={picks[index]?.value ?? ""}
          error={fkError(fk)}
          onPick={(value, values) => setPicks({ ...picks, [index]: { value, values } })}
        />
      ))}
      {plain.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          text={texts[field.name] ?? ""}
          error={errors[field.name]}
          onText={(text) => setTexts({ ...texts, [field.name]: text })}
          onFile={(file) => setFiles({ ...files, [field.name]: file })}
        />
      ))}
      {count > 0 && (
        <div className="error" role="alert">
          <strong>The row was not inserted: {count === 1 ? "one field needs" : `${count} fields need`} a fix.</strong>
          {rowError && <div>{rowError}</div>}
          {unknownErrors.map(([name, reason]) => (
            <div key={name}>
              {name}: {reason}
            </div>
          ))}
        </div>
      )}
      <InsertOutcome failure={failure} done={done} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Insert row
        </button>
      </div>
    </form>
  );
}
