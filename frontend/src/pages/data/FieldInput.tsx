// One field of the entry form: the control its type calls for, its label (the attribute's name),
// the type and comment as a hint, and its error pinned below it.
import type { Field } from "../../lib/forms";

interface Props {
  field: Field;
  text: string;
  error?: string;
  onText: (text: string) => void;
  onFile: (file: File | null) => void;
}

/** The input type and step of each typed control (others are text boxes). */
const INPUTS: Partial<Record<Field["control"], [string, number | "any" | undefined]>> = {
  integer: ["number", 1],
  float: ["number", "any"],
  date: ["date", undefined],
  datetime: ["datetime-local", 1],
  time: ["time", 1],
};

function numberBounds(field: Field): { min?: string; max?: string } {
  if (field.control !== "integer" || field.min === undefined || field.max === undefined) return {};
  // Number inputs cannot hold 64-bit bounds exactly; the check in forms.ts does.
  const safe = (value: bigint) => (value >= -(2n ** 53n) && value <= 2n ** 53n ? value.toString() : undefined);
  return { min: safe(field.min), max: safe(field.max) };
}

export function FieldInput({ field, text, error, onText, onFile }: Props) {
  const id = `field-${field.name}`;
  const errorId = `${id}-error`;
  const { attribute } = field;
  const common = {
    id,
    name: field.name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : `${id}-hint`,
    required: field.required,
  };
  let control;
  switch (field.control) {
    case "enum":
    case "bool": {
      const options = field.control === "bool" ? ["true", "false"] : (field.options ?? []);
      control = (
        <select {...common} value={text} onChange={(event) => onText(event.target.value)}>
          <option value="">{field.required ? "— pick one —" : "(default / null)"}</option>
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
      break;
    }
    case "json":
      control = (
        <textarea {...common} rows={3} value={text} placeholder="JSON" onChange={(event) => onText(event.target.value)} />
      );
      break;
    case "file":
      control = <input {...common} type="file" onChange={(event) => onFile(event.target.files?.[0] ?? null)} />;
      break;
    case "none":
      control = <input {...common} disabled value="" placeholder="not entered here" readOnly />;
      break;
    default: {
      const [type, step] = INPUTS[field.control] ?? ["text", undefined];
      control = (
        <input
          {...common}
          type={type}
          step={step}
          {...numberBounds(field)}
          maxLength={field.maxLength}
          value={text}
          onChange={(event) => onText(event.target.value)}
        />
      );
    }
  }
  const hint = [attribute.in_key ? "key" : null, attribute.type, attribute.default !== null ? `default ${attribute.default}` : null, attribute.nullable ? "nullable" : null]
    .filter(Boolean)
    .join(", ");
  return (
    <div className={`field${attribute.in_key ? " field-key" : ""}`}>
      <label htmlFor={id}>{field.name}</label>
      {control}
      <span id={`${id}-hint`} className="field-hint">
        {hint}
        {attribute.comment ? ` — ${attribute.comment}` : ""}
      </span>
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
