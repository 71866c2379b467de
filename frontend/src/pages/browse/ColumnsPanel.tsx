// Which columns the result shows and under which names (the primary key is always shown).
import type { BrowseState } from "../../lib/query";

export function ColumnsPanel({
  attributes,
  primaryKey,
  state,
  onChange,
}: {
  attributes: string[];
  primaryKey: string[];
  state: BrowseState;
  onChange: (patch: Partial<BrowseState>) => void;
}) {
  const toggle = (name: string, shown: boolean) =>
    onChange({
      hidden: shown ? state.hidden.filter((n) => n !== name) : [...state.hidden, name],
    });
  return (
    <table className="browse-columns">
      <tbody>
        {attributes.map((name) => {
          const inKey = primaryKey.includes(name);
          const shown = !state.hidden.includes(name);
          return (
            <tr key={name}>
              <td>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={shown}
                    disabled={inKey}
                    aria-label={`Show ${name}`}
                    onChange={(event) => toggle(name, event.target.checked)}
                  />
                  <span className={inKey ? "key" : ""}>{name}</span>
                </label>
              </td>
              <td>
                <input
                  aria-label={`Rename ${name}`}
                  placeholder="rename…"
                  disabled={!shown}
                  value={state.renames[name] ?? ""}
                  onChange={(event) =>
                    onChange({ renames: { ...state.renames, [name]: event.target.value } })
                  }
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
