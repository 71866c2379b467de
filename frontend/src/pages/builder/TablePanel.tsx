// The side panel of the selected table: its name, tier and comment, its lines as a form (key
// above, secondary below), and its definition text beside the form; both edit the same text.
import { useState } from "react";
import {
  newAttribute,
  parseDefinition,
  renderDefinition,
  renderedLines,
  type DefinitionItem,
  type DefinitionModel,
} from "../../lib/definition";
import { referencedId, type DefinitionGraph } from "../../lib/definitionGraph";
import { TYPE_CHOICES } from "../../lib/definitionTypes";
import type { DefinitionError } from "./api";
import { DefinitionText } from "./DefinitionText";
import { ItemRow } from "./ItemRow";
import { shortName, type BuilderTable } from "./tables";

const TIERS = ["Manual", "Lookup", "Imported", "Computed"];

export interface TablePanelProps {
  table: BuilderTable;
  graph: DefinitionGraph;
  errors: DefinitionError[];
  status: string | undefined;
  readOnly: boolean;
  /** Index of an item to focus (a foreign key just drawn). */
  focusItem: number | null;
  onDefinition: (text: string, tag: string) => void;
  onRename: (name: string) => void;
  onTier: (tier: string) => void;
  onDelete: () => void;
}

export function TablePanel(props: TablePanelProps) {
  const { table, graph, errors, readOnly } = props;
  // The form keeps its own model while it edits (a half-typed line stays a form row); text
  // edited anywhere else (the text box, undo) is parsed again.
  const [source, setSource] = useState({ key: table.key, text: table.definition });
  const [model, setModel] = useState<DefinitionModel>(() => parseDefinition(table.definition));
  if (source.key !== table.key || source.text !== table.definition) {
    setSource({ key: table.key, text: table.definition });
    setModel(parseDefinition(table.definition));
  }
  const [name, setName] = useState(shortName(table.className));
  const [nameFor, setNameFor] = useState(table.className);
  if (nameFor !== table.className) {
    setNameFor(table.className);
    setName(shortName(table.className));
  }

  const edit = (next: DefinitionModel, tag: string) => {
    const text = renderDefinition(next);
    setSource({ key: table.key, text });
    setModel(next);
    props.onDefinition(text, `${tag}:${table.key}`);
  };
  const replaceItem = (index: number, item: DefinitionItem) => {
    const items = [...model.items];
    const moved = items[index].inKey !== item.inKey;
    if (moved) {
      // into the other section: a foreign key after the foreign keys there, anything else last
      items.splice(index, 1);
      let at = items.length;
      if (item.kind === "foreign_key") {
        const first = items.findIndex((other) => other.inKey === item.inKey);
        at = first < 0 ? (item.inKey ? 0 : items.length) : first;
        while (items[at]?.inKey === item.inKey && items[at]?.kind === "foreign_key") at += 1;
      }
      items.splice(at, 0, item);
    } else {
      items[index] = item;
    }
    edit({ ...model, items }, moved ? `move${index}` : `item${index}`);
  };
  const removeItem = (index: number) =>
    edit({ ...model, items: model.items.filter((_, i) => i !== index) }, "remove");
  const addItem = (item: DefinitionItem) => edit({ ...model, items: [...model.items, item] }, "add");

  const canonical = renderDefinition(model) === table.definition;
  const lines = canonical ? renderedLines(model) : model.items.map((item) => item.line ?? 0);
  const errorOfLine = new Map(errors.filter((e) => e.line).map((e) => [e.line as number, e.message]));
  const keyOf = (item: DefinitionItem) => {
    if (item.kind !== "foreign_key") return [];
    const parent = referencedId(item.table, table);
    const drawn = graph.tables.find((t) => t.id === parent);
    return drawn ? drawn.attributes.filter((a) => a.inKey).map((a) => a.name) : [];
  };
  const rows = (inKey: boolean) =>
    model.items.map((item, index) =>
      item.inKey === inKey ? (
        <ItemRow
          key={index}
          item={item}
          parentKey={keyOf(item)}
          readOnly={readOnly}
          invalid={errorOfLine.get(lines[index]) ?? null}
          autoFocus={props.focusItem === index}
          onChange={(next) => replaceItem(index, next)}
          onRemove={() => removeItem(index)}
        />
      ) : null,
    );
  const general = errors.filter((e) => !e.line || !lines.includes(e.line));

  return (
    <aside className="table-panel" aria-label={`Table ${table.className}`}>
      <div className="panel-head">
        <h2>{table.className}</h2>
        <span className={`tier-chip tier-${table.tier}`}>{table.tier}</span>
        {props.status && <span className="muted">{props.status}</span>}
      </div>
      <div className="row">
        <label>
          Table name
          <input
            value={name}
            readOnly={readOnly}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => name !== shortName(table.className) && props.onRename(name)}
            onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
          />
        </label>
        {table.tier !== "Part" && (
          <label>
            Tier
            <select value={table.tier} disabled={readOnly} onChange={(e) => props.onTier(e.target.value)}>
              {TIERS.map((tier) => (
                <option key={tier}>{tier}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <label>
        Table comment
        <input
          value={model.comment}
          readOnly={readOnly}
          onChange={(e) => edit({ ...model, comment: e.target.value }, "comment")}
        />
      </label>
      {general.length > 0 && (
        <div className="error" role="alert">
          {general.map((e, i) => (
            <div key={i}>{e.message}</div>
          ))}
        </div>
      )}
      <div className="panel-columns">
        <div className="panel-form">
          <h3>Primary key</h3>
          <ul className="items">{rows(true)}</ul>
          {!readOnly && (
            <button type="button" onClick={() => addItem(newAttribute(true))}>
              Add key attribute
            </button>
          )}
          <h3>Secondary attributes</h3>
          <ul className="items">{rows(false)}</ul>
          {!readOnly && (
            <div className="row">
              <button type="button" onClick={() => addItem(newAttribute(false))}>
                Add attribute
              </button>
              <button
                type="button"
                onClick={() => addItem({ kind: "index", unique: false, attributes: [""], comment: "", inKey: false })}
              >
                Add index
              </button>
            </div>
          )}
        </div>
        <div className="panel-text">
          <h3>Definition</h3>
          <DefinitionText
            text={table.definition}
            errors={errors}
            readOnly={readOnly}
            onChange={(text) => props.onDefinition(text, `text:${table.key}`)}
          />
        </div>
      </div>
      {!readOnly && (
        <div className="actions">
          <button type="button" className="danger" onClick={props.onDelete}>
            Delete table
          </button>
        </div>
      )}
      <datalist id="builder-types">
        {TYPE_CHOICES.map((choice) => (
          <option key={choice.type} value={choice.type}>
            {choice.note}
          </option>
        ))}
      </datalist>
    </aside>
  );
}
