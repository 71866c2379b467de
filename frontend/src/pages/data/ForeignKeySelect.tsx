// A searchable select of a parent table's rows for one foreign key: typing in the search box asks
// the server for matching parent rows (a `like` over the parent's text attributes), the select
// lists them, and picking one fills every attribute of the foreign key.
import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { childValues, parentLabel, parentSearch, type ForeignKey } from "../../lib/formsForeignKeys";
import { searchRows, type Row } from "./api";

const SHOWN = 50;

interface Props {
  fk: ForeignKey;
  /** The key of the picked parent row as JSON text ("" when none). */
  value: string;
  error?: string;
  onPick: (value: string, childRow: Row | null) => void;
}

export function ForeignKeySelect({ fk, value, error, onPick }: Props) {
  const { slug } = usePipeline();
  const [search, setSearch] = useState("");
  const [rows, setRows] = useState<Row[]>([]);
  const [more, setMore] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  // The picked row stays an option while a new search lists other rows.
  const [chosen, setChosen] = useState<Row | null>(null);
  const parent = fk.parent;
  const names = Object.keys(fk.attrMap);
  const id = `fk-${names.join("-")}`;

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      searchRows(slug, parent.schema, parent.name, {
        where: parentSearch(parent, search),
        limit: SHOWN,
        offset: 0,
        count: false,
      }).then(
        (page) => {
          if (!live) return;
          setRows(page.rows);
          setMore(page.next_after !== null);
          setFailure(null);
        },
        (problem: unknown) => live && setFailure(problem),
      );
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [slug, parent, search]);

  const keyOf = (row: Row) => JSON.stringify(parent.primary_key.map((name) => row[name]));
  const options = chosen && value === keyOf(chosen) && !rows.some((row) => keyOf(row) === value) ? [chosen, ...rows] : rows;
  const label = names.join(", ");
  return (
    <div className="field field-fk">
      <label htmlFor={id}>{label}</label>
      <input
        type="search"
        aria-label={`Search ${parent.name}`}
        placeholder={`Search ${parent.name}…`}
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
        onChange={(event) => {
          const row = options.find((item) => keyOf(item) === event.target.value) ?? null;
          setChosen(row);
          onPick(event.target.value, row ? childValues(fk, row) : null);
        }}
      >
        <option value="">— pick a {parent.name} —</option>
        {options.map((row) => (
          <option key={keyOf(row)} value={keyOf(row)}>
            {parentLabel(parent, row)}
          </option>
        ))}
      </select>
      <span id={`${id}-hint`} className="field-hint">
        → {parent.schema}.{parent.name}
        {more ? ` (first ${SHOWN} shown: search to narrow)` : ""}
      </span>
      <ErrorMessage error={failure} />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
