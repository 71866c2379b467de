// One line of a definition in the side panel: an attribute, a foreign key, an index, a comment
// line, or a line the model cannot read (edited as text).
import type {
  AttributeItem,
  DefinitionItem,
  ForeignKeyItem,
  IndexItem,
} from "../../lib/definition";
import { isNullable } from "../../lib/definition";

export interface ItemRowProps {
  item: DefinitionItem;
  /** The referenced table's primary key (foreign keys: what a rename can rename). */
  parentKey: string[];
  readOnly: boolean;
  invalid: string | null;
  autoFocus?: boolean;
  onChange: (item: DefinitionItem) => void;
  onRemove: () => void;
}

export function ItemRow(props: ItemRowProps) {
  const { item, invalid } = props;
  return (
    <li className={`item-row item-${item.kind}${invalid ? " invalid" : ""}`} title={invalid ?? undefined}>
      {item.kind === "attribute" && <AttributeRow {...props} item={item} />}
      {item.kind === "foreign_key" && <ForeignKeyRow {...props} item={item} />}
      {item.kind === "index" && <IndexRow {...props} item={item} />}
      {(item.kind === "comment" || item.kind === "raw") && (
        <input
          aria-label={item.kind === "comment" ? "Comment line" : "Definition line"}
          value={item.kind === "comment" ? `# ${item.text}` : item.text}
          readOnly={props.readOnly}
          aria-invalid={Boolean(invalid)}
          onChange={(e) => {
            const text = e.target.value;
            props.onChange(
              text.trim().startsWith("#")
                ? { kind: "comment", text: text.trim().slice(1).trim(), inKey: item.inKey }
                : { kind: "raw", text, inKey: item.inKey },
            );
          }}
        />
      )}
      {invalid && <div className="row-error">{invalid}</div>}
    </li>
  );
}

type Row<T> = Omit<ItemRowProps, "item"> & { item: T & { inKey: boolean } };

function AttributeRow({ item, readOnly, invalid, autoFocus, onChange, onRemove }: Row<AttributeItem>) {
  const label = item.name || "new attribute";
  const set = (change: Partial<AttributeItem & { inKey: boolean }>) => onChange({ ...item, ...change });
  const nullable = isNullable(item);
  return (
    <>
      <div className="row">
        <input
          className="attr-name"
          aria-label={`Name of ${label}`}
          placeholder="name"
          value={item.name}
          readOnly={readOnly}
          autoFocus={autoFocus}
          onChange={(e) => set({ name: e.target.value.trim() })}
        />
        <input
          className="attr-type"
          aria-label={`Type of ${label}`}
          list="builder-types"
          value={item.type}
          readOnly={readOnly}
          aria-invalid={Boolean(invalid)}
          onChange={(e) => set({ type: e.target.value })}
        />
      </div>
      <div className="row">
        <input
          className="attr-default"
          aria-label={`Default of ${label}`}
          placeholder="default"
          value={item.default ?? ""}
          readOnly={readOnly || nullable}
          onChange={(e) => set({ default: e.target.value.trim() ? e.target.value : null })}
        />
        <label className="inline">
          <input
            type="checkbox"
            checked={nullable}
            disabled={readOnly || item.inKey}
            onChange={(e) => set({ default: e.target.checked ? "null" : null })}
          />
          nullable
        </label>
        <input
          className="attr-comment"
          aria-label={`Comment of ${label}`}
          placeholder="comment"
          value={item.comment}
          readOnly={readOnly}
          onChange={(e) => set({ comment: e.target.value })}
        />
        <InKey item={item} label={label} readOnly={readOnly} onChange={onChange} />
        {!readOnly && (
          <button type="button" className="icon" aria-label={`Remove ${label}`} onClick={onRemove}>
            ✕
          </button>
        )}
      </div>
    </>
  );
}

function InKey({
  item,
  label,
  readOnly,
  onChange,
}: {
  item: DefinitionItem;
  label: string;
  readOnly: boolean;
  onChange: (item: DefinitionItem) => void;
}) {
  return (
    <label className="inline">
      <input
        type="checkbox"
        aria-label={`${label} in primary key`}
        checked={item.inKey}
        disabled={readOnly}
        onChange={(e) =>
          onChange({
            ...item,
            inKey: e.target.checked,
            ...(item.kind === "foreign_key" && e.target.checked ? { nullable: false } : {}),
            ...(item.kind === "attribute" && e.target.checked && isNullable(item) ? { default: null } : {}),
          } as DefinitionItem)
        }
      />
      key
    </label>
  );
}

function ForeignKeyRow({ item, parentKey, readOnly, autoFocus, onChange, onRemove }: Row<ForeignKeyItem>) {
  const label = `-> ${item.table}`;
  const set = (change: Partial<ForeignKeyItem>) => onChange({ ...item, ...change });
  const renameOf = (from: string) => item.renames.find((r) => r.from === from)?.name ?? "";
  const rename = (from: string, name: string) => {
    const others = item.renames.filter((r) => r.from !== from);
    set({ renames: name.trim() ? [...others, { name: name.trim(), from }] : others });
  };
  return (
    <>
      <div className="row">
        <strong className="fk-target">→ {item.table}</strong>
        <InKey item={item} label={label} readOnly={readOnly} onChange={onChange} />
        <label className="inline">
          <input
            type="checkbox"
            aria-label={`${label} nullable`}
            checked={item.nullable}
            disabled={readOnly || item.inKey}
            onChange={(e) => set({ nullable: e.target.checked })}
          />
          nullable
        </label>
        <label className="inline">
          <input
            type="checkbox"
            aria-label={`${label} unique`}
            checked={item.unique}
            disabled={readOnly}
            onChange={(e) => set({ unique: e.target.checked })}
          />
          unique
        </label>
        {!readOnly && (
          <button type="button" className="icon" aria-label={`Remove ${label}`} onClick={onRemove}>
            ✕
          </button>
        )}
      </div>
      {parentKey.length > 0 && (
        <div className="renames">
          {parentKey.map((from, i) => (
            <label key={from} className="inline">
              <span className="muted">{from} as</span>
              <input
                aria-label={`Rename ${from} from ${item.table}`}
                placeholder={from}
                value={renameOf(from)}
                readOnly={readOnly}
                autoFocus={autoFocus && i === 0}
                onChange={(e) => rename(from, e.target.value)}
              />
            </label>
          ))}
        </div>
      )}
    </>
  );
}

function IndexRow({ item, readOnly, onChange, onRemove }: Row<IndexItem>) {
  const text = item.attributes.join(", ");
  return (
    <div className="row">
      <label className="inline">
        <input
          type="checkbox"
          checked={item.unique}
          disabled={readOnly}
          onChange={(e) => onChange({ ...item, unique: e.target.checked })}
        />
        unique
      </label>
      <span>index(</span>
      <input
        aria-label={`Attributes of index(${text})`}
        value={text}
        readOnly={readOnly}
        onChange={(e) =>
          onChange({
            ...item,
            attributes: e.target.value.split(",").map((a) => a.trim()),
          })
        }
      />
      <span>)</span>
      {!readOnly && (
        <button type="button" className="icon" aria-label={`Remove index(${text})`} onClick={onRemove}>
          ✕
        </button>
      )}
    </div>
  );
}
