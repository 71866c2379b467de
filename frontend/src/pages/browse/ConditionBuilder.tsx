// A filter built by clicking: rows of {attribute, operator, value} in groups that match all (AND)
// or any (OR) of their items, and may be negated (NOT). lib/conditions turns it into JSON.
import {
  type ConditionGroup,
  type ConditionRow,
  emptyGroup,
  emptyRow,
  LIST_OPERATORS,
  NO_VALUE_OPERATORS,
  OPERATORS,
  type Operator,
  type RowError,
  updateNode,
} from "../../lib/conditions";

interface Props {
  group: ConditionGroup;
  attributes: string[];
  errors: RowError[];
  onChange: (group: ConditionGroup) => void;
}

export function ConditionBuilder({ group, attributes, errors, onChange }: Props) {
  const change = (id: string, update: (node: ConditionRow | ConditionGroup) => ConditionRow | ConditionGroup | null) =>
    onChange(updateNode(group, id, update));
  return (
    <GroupView
      group={group}
      depth={0}
      attributes={attributes}
      errors={errors}
      change={change}
    />
  );
}

type Change = (
  id: string,
  update: (node: ConditionRow | ConditionGroup) => ConditionRow | ConditionGroup | null,
) => void;

function GroupView({
  group,
  depth,
  attributes,
  errors,
  change,
}: {
  group: ConditionGroup;
  depth: number;
  attributes: string[];
  errors: RowError[];
  change: Change;
}) {
  const setGroup = (patch: Partial<ConditionGroup>) =>
    change(group.id, (node) => ({ ...(node as ConditionGroup), ...patch }));
  const add = (item: ConditionRow | ConditionGroup) => setGroup({ items: [...group.items, item] });
  return (
    <div className={`condition-group depth-${depth}`} role="group" aria-label={depth ? "Condition group" : "Filter"}>
      <div className="row">
        <label className="inline">
          Match
          <select
            aria-label="Match"
            value={group.join}
            onChange={(event) => setGroup({ join: event.target.value as "and" | "or" })}
          >
            <option value="and">all (and)</option>
            <option value="or">any (or)</option>
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={group.negate}
            onChange={(event) => setGroup({ negate: event.target.checked })}
          />
          not
        </label>
        <span className="spacer" />
        {depth > 0 && (
          <button type="button" className="link" onClick={() => change(group.id, () => null)}>
            Remove group
          </button>
        )}
      </div>
      {group.items.map((item) =>
        item.kind === "row" ? (
          <RowView
            key={item.id}
            row={item}
            attributes={attributes}
            error={errors.find((e) => e.id === item.id)?.message}
            change={change}
          />
        ) : (
          <GroupView
            key={item.id}
            group={item}
            depth={depth + 1}
            attributes={attributes}
            errors={errors}
            change={change}
          />
        ),
      )}
      <div className="row">
        <button type="button" onClick={() => add(emptyRow())}>
          Add condition
        </button>
        {depth < 4 && (
          <button type="button" onClick={() => add({ ...emptyGroup("or"), items: [emptyRow()] })}>
            Add group
          </button>
        )}
      </div>
    </div>
  );
}

function RowView({
  row,
  attributes,
  error,
  change,
}: {
  row: ConditionRow;
  attributes: string[];
  error?: string;
  change: Change;
}) {
  const set = (patch: Partial<ConditionRow>) =>
    change(row.id, (node) => ({ ...(node as ConditionRow), ...patch }));
  const needsValue = !NO_VALUE_OPERATORS.includes(row.operator);
  const placeholder = LIST_OPERATORS.includes(row.operator) ? "a, b, c" : "value";
  return (
    <div className="condition-row">
      <div className="row">
        <select
          aria-label="Attribute"
          value={row.attribute}
          aria-invalid={!!error && !row.attribute}
          onChange={(event) => set({ attribute: event.target.value })}
        >
          <option value="">attribute…</option>
          {attributes.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <select
          aria-label="Operator"
          value={row.operator}
          onChange={(event) => set({ operator: event.target.value as Operator })}
        >
          {OPERATORS.map((operator) => (
            <option key={operator} value={operator}>
              {operator}
            </option>
          ))}
        </select>
        {needsValue && (
          <input
            aria-label="Value"
            className="condition-value"
            value={row.value}
            placeholder={placeholder}
            aria-invalid={!!error}
            onChange={(event) => set({ value: event.target.value })}
          />
        )}
        <button
          type="button"
          className="link"
          aria-label="Remove condition"
          onClick={() => change(row.id, () => null)}
        >
          ✕
        </button>
      </div>
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}
