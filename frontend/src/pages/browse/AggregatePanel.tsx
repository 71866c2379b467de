// Group the rows by some attributes and compute count, sum, avg, min or max per group.
import { AGGREGATE_FUNCTIONS, type AggregateFunction, type BrowseState, type Computation } from "../../lib/query";

export function AggregatePanel({
  attributes,
  state,
  onChange,
}: {
  attributes: string[];
  state: BrowseState;
  onChange: (patch: Partial<BrowseState>) => void;
}) {
  const setComputation = (index: number, patch: Partial<Computation>) =>
    onChange({
      computations: state.computations.map((c, i) => (i === index ? { ...c, ...patch } : c)),
    });
  return (
    <div className="stack">
      <fieldset className="browse-group-by">
        <legend>Group by</legend>
        {attributes.map((name) => (
          <label key={name} className="inline">
            <input
              type="checkbox"
              checked={state.groupBy.includes(name)}
              onChange={(event) =>
                onChange({
                  groupBy: event.target.checked
                    ? [...state.groupBy, name]
                    : state.groupBy.filter((n) => n !== name),
                })
              }
            />
            {name}
          </label>
        ))}
      </fieldset>
      {state.computations.map((computation, index) => (
        <div className="row" key={index}>
          <input
            aria-label="Computed name"
            value={computation.name}
            size={10}
            onChange={(event) => setComputation(index, { name: event.target.value })}
          />
          =
          <select
            aria-label="Function"
            value={computation.function}
            onChange={(event) =>
              setComputation(index, { function: event.target.value as AggregateFunction })
            }
          >
            {AGGREGATE_FUNCTIONS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
          <select
            aria-label="Of"
            value={computation.attribute}
            onChange={(event) => setComputation(index, { attribute: event.target.value })}
          >
            <option value="*">* (rows)</option>
            {attributes.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <button
            type="button"
            className="link"
            aria-label="Remove computation"
            onClick={() => onChange({ computations: state.computations.filter((_, i) => i !== index) })}
          >
            ✕
          </button>
        </div>
      ))}
      <div className="row">
        <button
          type="button"
          onClick={() =>
            onChange({
              computations: [
                ...state.computations,
                { name: state.computations.length ? `n${state.computations.length + 1}` : "n", function: "count", attribute: "*" },
              ],
            })
          }
        >
          Add computation
        </button>
      </div>
    </div>
  );
}
