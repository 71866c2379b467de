// One table on the data entry page: its rows in the virtualized grid (inline correction of
// secondary attributes), the entry form, paste and upload with dry runs, export, and delete with
// the cascade preview. What shows depends on the caller's role and the table's tier.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError } from "../../api/client";
import { atLeast } from "../../api/session";
import { fetchDiagram, fetchTable, type TableInfo } from "../../api/tables";
import { ErrorMessage } from "../../components/ErrorMessage";
import { VirtualGrid, type GridOrder, type GridPage } from "../../components/grid/VirtualGrid";
import { usePipeline } from "../../components/pipeline";
import { fieldsOf, parseValue } from "../../lib/forms";
import { foreignKeysOf, parentSearch, type ForeignKey } from "../../lib/formsForeignKeys";
import { exportUrl, keyText, searchRows, updateRow, type Row } from "./api";
import { columnsOf } from "./columns";
import { DeleteDialog } from "./DeleteDialog";
import { PasteRows } from "./PasteRows";
import { RowForm } from "./RowForm";
import { UploadRows } from "./UploadRows";

interface Props {
  schema: string;
  name: string;
}

export function TableView({ schema, name }: Props) {
  const { slug, role } = usePipeline();
  const [table, setTable] = useState<TableInfo | null>(null);
  const [foreignKeys, setForeignKeys] = useState<ForeignKey[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [gridFailure, setGridFailure] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  const [order, setOrder] = useState<GridOrder | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<Row[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [findText, setFindText] = useState("");
  const [find, setFind] = useState("");

  useEffect(() => {
    if (findText === find) return;
    const timer = window.setTimeout(() => {
      setFind(findText);
      setTotal(null);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [findText, find]);

  useEffect(() => {
    let live = true;
    Promise.all([fetchTable(slug, schema, name), fetchDiagram(slug)]).then(
      ([found, diagram]) => {
        if (!live) return;
        setTable(found);
        setForeignKeys(foreignKeysOf(diagram, schema, name));
      },
      (problem: unknown) => live && setFailure(problem),
    );
    return () => {
      live = false;
    };
  }, [slug, schema, name]);

  const fields = useMemo(() => (table ? fieldsOf(table.attributes) : []), [table]);
  const canEnter = Boolean(table?.entry) && atLeast(role, "entry");
  const canDelete = atLeast(role, "operator");
  const columns = useMemo(() => columnsOf(fields, canEnter), [fields, canEnter]);

  const fetchRows = useCallback(
    async (offset: number, limit: number, count: boolean): Promise<GridPage<Row>> => {
      const orderBy = order ? [`${order.descending ? "-" : ""}${order.column}`] : [];
      const where = table ? parentSearch(table, find) : null;
      const page = await searchRows(slug, schema, name, { where, order_by: orderBy, limit, offset, count });
      setGridFailure(null);
      return { rows: page.rows, total: page.count };
    },
    [slug, schema, name, order, table, find],
  );

  const onEdit = useCallback(
    async (row: Row, column: string, text: string): Promise<Row> => {
      const field = fields.find((item) => item.name === column);
      if (!field || !table) throw new Error("Unknown column.");
      const parsed = parseValue(field, text);
      if (!parsed.ok) throw new Error(parsed.error);
      const key = Object.fromEntries(table.primary_key.map((item) => [item, row[item]]));
      try {
        return await updateRow(slug, schema, name, key, { [column]: parsed.value ?? null });
      } catch (problem) {
        const reasons = problem instanceof ApiError ? (problem.details as { errors?: Record<string, string> })?.errors : null;
        throw new Error(reasons?.[column] ?? (problem instanceof Error ? problem.message : String(problem)), {
          cause: problem,
        });
      }
    },
    [fields, table, slug, schema, name],
  );

  const changed = useCallback(() => {
    setSelected(new Set());
    setReload((value) => value + 1);
  }, []);

  if (failure) return <ErrorMessage error={failure} />;
  if (!table) return <p className="muted">Loading {name}…</p>;

  const readOnlyReason = !table.entry
    ? `${table.tier === "Part" ? "A part of a computed or imported table" : `A ${table.tier} table`}: its rows come from populate, so they are read-only here.`
    : !canEnter
      ? "Your role lets you read these rows; entering them needs the entry role."
      : null;

  return (
    <div className="table-view">
      <div className="table-head">
        <h2>
          {table.schema}.{table.name}
        </h2>
        <span className={`tier-badge tier-${table.tier}`}>{table.tier}</span>
        <span className="muted" aria-live="polite">
          {total === null || find ? "" : `${total.toLocaleString()} rows`}
        </span>
        <span className="spacer" />
        <a className="button-link" href={exportUrl(slug, schema, name)} download>
          Export CSV
        </a>
        {canDelete && (
          <button
            type="button"
            className="danger"
            disabled={selected.size === 0}
            onClick={() => setDeleting([...selected].map((key) => JSON.parse(key) as Row))}
          >
            Delete{selected.size ? ` ${selected.size}` : ""}…
          </button>
        )}
      </div>
      {readOnlyReason && <p className="muted read-only">{readOnlyReason}</p>}
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      <div className="table-body">
        <div className="table-grid">
          <div className="row grid-tools">
            <input
              type="search"
              aria-label="Find rows"
              placeholder="Find rows (text, or a number)…"
              value={findText}
              onChange={(event) => setFindText(event.target.value)}
            />
            {find && total !== null && <span className="muted">{total.toLocaleString()} matching</span>}
          </div>
          <ErrorMessage error={gridFailure} />
          <VirtualGrid<Row>
            label={`Rows of ${table.name}`}
            columns={columns}
            fetchRows={fetchRows}
            rowKey={(row) => keyText(table, row)}
            reloadKey={`${schema}.${name}:${reload}:${find}`}
            height={canEnter ? 360 : 560}
            order={order}
            onOrderChange={setOrder}
            onEdit={canEnter ? onEdit : undefined}
            selected={canDelete ? selected : undefined}
            onSelectedChange={canDelete ? setSelected : undefined}
            onError={setGridFailure}
            onTotal={setTotal}
          />
          {canEnter && (
            <p className="muted small">
              Double-click a cell (or press Enter on it) to correct a secondary attribute; key attributes are fixed.
            </p>
          )}
          {canEnter && (
            <div className="bulk">
              <details>
                <summary>Paste rows from a spreadsheet</summary>
                <PasteRows table={table} fields={fields} onInserted={changed} />
              </details>
              <details>
                <summary>Upload a CSV or JSON file</summary>
                <UploadRows table={table} onInserted={changed} />
              </details>
            </div>
          )}
        </div>
        {canEnter && (
          <aside className="table-form">
            <RowForm table={table} fields={fields} foreignKeys={foreignKeys} onInserted={changed} />
          </aside>
        )}
      </div>
      {deleting && (
        <DeleteDialog
          table={table}
          keys={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(message) => {
            setDeleting(null);
            setNotice(message);
            changed();
          }}
        />
      )}
    </div>
  );
}
