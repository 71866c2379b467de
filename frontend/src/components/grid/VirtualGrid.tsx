// A grid of many rows fetched from a server a page at a time: rows have one fixed height, only the
// rows on screen (and a few either side) are in the DOM, and the pages under them are fetched when
// the scrolling settles. Optional: row selection with checkboxes, ordering by a column, and
// editing a cell in place (double-click, or Enter on the active cell; Enter saves, Escape cancels).
// Keyboard: arrows, Page Up/Down, Home/End move the active cell; Space selects its row.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { CellEditor } from "./CellEditor";
import { moved } from "./keys";
import { PageCache, pagesOf, scrollScale, visibleRange } from "./paging";
import "./grid.css";

export interface GridColumn<Row> {
  id: string;
  label: string;
  width: number;
  /** The cell's content (default: the text of `row[id]`). */
  render?: (row: Row) => ReactNode;
  /** Shown on the header (the type, the comment). */
  title?: string;
  /** The cell may be edited; `editText` gives the text the edit box starts with. */
  editable?: boolean;
  editText?: (row: Row) => string;
  sortable?: boolean;
}

export interface GridPage<Row> {
  rows: Row[];
  /** The number of rows, when this fetch counted them. */
  total?: number | null;
}

export interface GridOrder {
  column: string;
  descending: boolean;
}

export interface VirtualGridProps<Row> {
  label: string;
  columns: GridColumn<Row>[];
  fetchRows: (offset: number, limit: number, count: boolean) => Promise<GridPage<Row>>;
  rowKey: (row: Row) => string;
  /** A new value drops every fetched page (after an insert, a delete, a new order). */
  reloadKey?: unknown;
  rowHeight?: number;
  pageSize?: number;
  height?: number;
  order?: GridOrder | null;
  onOrderChange?: (order: GridOrder | null) => void;
  /** Save an edited cell; resolves to the row as stored, rejects with the reason. */
  onEdit?: (row: Row, column: string, text: string) => Promise<Row>;
  selected?: ReadonlySet<string>;
  onSelectedChange?: (selected: Set<string>) => void;
  onError?: (error: unknown) => void;
  /** Told the row count whenever it is learnt. */
  onTotal?: (total: number) => void;
}

interface Editing {
  index: number;
  column: string;
  text: string;
  error: string | null;
  saving: boolean;
}

const SELECT_WIDTH = 34;
const SETTLE_MS = 60;

function plainText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function VirtualGrid<Row extends object>(props: VirtualGridProps<Row>) {
  const {
    label,
    columns,
    fetchRows,
    rowKey,
    reloadKey,
    rowHeight = 28,
    pageSize = 100,
    height = 420,
    order,
    onOrderChange,
    onEdit,
    selected,
    onSelectedChange,
    onError,
    onTotal,
  } = props;
  const cache = useMemo(() => new PageCache<Row>(), []);
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  const [, setTick] = useState(0);
  const [active, setActive] = useState<{ index: number; column: number } | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  // The latest callbacks, so a parent passing new functions does not restart the fetching.
  const callbacks = useRef({ fetchRows, onError, onTotal });
  useEffect(() => {
    callbacks.current = { fetchRows, onError, onTotal };
  }, [fetchRows, onError, onTotal]);

  const load = useCallback(
    (page: number, count: boolean) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      const mine = generation.current;
      callbacks.current.fetchRows(page * pageSize, pageSize, count).then(
        (result) => {
          if (mine !== generation.current) return;
          loading.current.delete(page);
          cache.set(page, result.rows);
          if (result.total !== undefined && result.total !== null) {
            setTotal(result.total);
            callbacks.current.onTotal?.(result.total);
          } else if (result.rows.length < pageSize) {
            setTotal((known) => known ?? page * pageSize + result.rows.length);
          }
          setTick((tick) => tick + 1);
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          loading.current.delete(page);
          callbacks.current.onError?.(error);
        },
      );
    },
    [cache, pageSize],
  );

  // A new table, order or reload: forget everything and count again with the first page.
  useEffect(() => {
    generation.current += 1;
    cache.clear();
    loading.current.clear();
    setEditing(null);
    setTotal(null);
    load(0, true);
  }, [cache, load, reloadKey, order]);

  const bodyHeight = height - rowHeight;
  const scale = scrollScale(total ?? 0, rowHeight, bodyHeight);
  // Where the rows are scrolled to (differs from scrollTop only past the browser's height limit).
  const rowsTop = scrollTop * scale.ratio;
  const range = visibleRange(rowsTop, bodyHeight, rowHeight, total ?? 0);
  const missing = pagesOf(range, pageSize).filter((page) => !cache.has(page));
  const missingKey = missing.join(",");

  useEffect(() => {
    if (!missingKey) return;
    const timer = window.setTimeout(() => {
      for (const page of missingKey.split(",").map(Number)) load(page, false);
    }, SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [missingKey, load]);

  const rowAt = (index: number): Row | undefined => cache.get(Math.floor(index / pageSize))?.[index % pageSize];

  const width = columns.reduce((sum, column) => sum + column.width, onSelectedChange ? SELECT_WIDTH : 0);

  const startEdit = (index: number, columnIndex: number) => {
    const column = columns[columnIndex];
    const row = rowAt(index);
    if (!onEdit || !column?.editable || !row) return;
    const text = column.editText ? column.editText(row) : plainText((row as Record<string, unknown>)[column.id]);
    setActive({ index, column: columnIndex });
    setEditing({ index, column: column.id, text, error: null, saving: false });
  };

  const saveEdit = async () => {
    if (!editing || !onEdit || editing.saving) return;
    const row = rowAt(editing.index);
    if (!row) return;
    setEditing({ ...editing, saving: true, error: null });
    try {
      const stored = await onEdit(row, editing.column, editing.text);
      cache.replace(editing.index, pageSize, stored);
      setEditing(null);
      viewport.current?.focus();
    } catch (error) {
      setEditing({ ...editing, saving: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const scrollToRow = (index: number) => {
    const element = viewport.current;
    if (!element) return;
    const top = index * rowHeight;
    if (top < rowsTop) element.scrollTop = top / scale.ratio;
    else if (top + rowHeight > rowsTop + bodyHeight) element.scrollTop = (top + rowHeight - bodyHeight) / scale.ratio;
  };

  const toggle = (key: string) => {
    if (!onSelectedChange) return;
    const next = new Set(selected ?? []);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onSelectedChange(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing || total === null || total === 0) return;
    const current = active ?? { index: range.start, column: 0 };
    const next = moved(event.key, current, total, columns.length, Math.floor(bodyHeight / rowHeight) - 1);
    if (next) {
      event.preventDefault();
      setActive(next);
      scrollToRow(next.index);
    } else if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      startEdit(current.index, current.column);
    } else if (event.key === " " && onSelectedChange) {
      event.preventDefault();
      const row = rowAt(current.index);
      if (row) toggle(rowKey(row));
    }
  };

  const headerCell = (column: GridColumn<Row>) => {
    const sorted = order?.column === column.id ? order : null;
    const ariaSort = sorted ? (sorted.descending ? "descending" : "ascending") : undefined;
    const next = () => {
      if (!onOrderChange) return;
      if (!sorted) onOrderChange({ column: column.id, descending: false });
      else if (!sorted.descending) onOrderChange({ column: column.id, descending: true });
      else onOrderChange(null);
    };
    return (
      <div
        key={column.id}
        role="columnheader"
        aria-sort={ariaSort}
        className="vgrid-cell vgrid-headcell"
        style={{ width: column.width }}
        title={column.title}
      >
        {column.sortable && onOrderChange ? (
          <button type="button" className="link vgrid-sort" onClick={next}>
            {column.label}
            {sorted ? (sorted.descending ? " ▼" : " ▲") : ""}
          </button>
        ) : (
          column.label
        )}
      </div>
    );
  };

  const idBase = label.replace(/\W+/g, "-");
  const errorId = `${idBase}-edit-error`;
  const activeId = `${idBase}-active-cell`;
  const activeShown = active !== null && active.index >= range.start && active.index < range.end;
  const rows: ReactNode[] = [];
  for (let index = range.start; index < range.end; index += 1) {
    const row = rowAt(index);
    const key = row ? rowKey(row) : `loading-${index}`;
    const isSelected = row ? (selected?.has(key) ?? false) : false;
    rows.push(
      <div
        key={key}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={onSelectedChange ? isSelected : undefined}
        className={`vgrid-row${row ? "" : " vgrid-loading"}${isSelected ? " vgrid-selected" : ""}`}
        style={{ transform: `translateY(${scrollTop + index * rowHeight - rowsTop}px)`, height: rowHeight, width }}
      >
        {onSelectedChange && (
          <div role="gridcell" className="vgrid-cell vgrid-check" style={{ width: SELECT_WIDTH }}>
            {row && (
              <input
                type="checkbox"
                aria-label={`Select row ${key}`}
                checked={isSelected}
                onChange={() => toggle(key)}
                tabIndex={-1}
              />
            )}
          </div>
        )}
        {columns.map((column, columnIndex) => {
          const isActive = active?.index === index && active.column === columnIndex;
          const isEditing = editing?.index === index && editing.column === column.id;
          return (
            <div
              key={column.id}
              role="gridcell"
              id={isActive ? activeId : undefined}
              data-column={column.id}
              aria-readonly={onEdit && !column.editable ? true : undefined}
              className={`vgrid-cell${isActive ? " vgrid-active" : ""}${column.editable && onEdit ? " vgrid-editable" : ""}`}
              style={{ width: column.width }}
              onClick={() => setActive({ index, column: columnIndex })}
              onDoubleClick={() => startEdit(index, columnIndex)}
            >
              {isEditing && editing ? (
                <CellEditor
                  label={column.label}
                  text={editing.text}
                  error={editing.error}
                  errorId={errorId}
                  saving={editing.saving}
                  onText={(text) => setEditing({ ...editing, text, error: null })}
                  onSave={() => void saveEdit()}
                  onCancel={() => {
                    setEditing(null);
                    viewport.current?.focus();
                  }}
                />
              ) : row ? (
                column.render ? column.render(row) : plainText((row as Record<string, unknown>)[column.id])
              ) : (
                "…"
              )}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div className="vgrid-wrap">
      <div
        ref={viewport}
        className="vgrid"
        role="grid"
        aria-label={label}
        aria-rowcount={total === null ? -1 : total + 1}
        aria-colcount={columns.length + (onSelectedChange ? 1 : 0)}
        aria-activedescendant={activeShown ? activeId : undefined}
        tabIndex={0}
        style={{ height }}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div role="row" aria-rowindex={1} className="vgrid-head" style={{ height: rowHeight, width }}>
          {onSelectedChange && (
            <div role="columnheader" className="vgrid-cell vgrid-check" style={{ width: SELECT_WIDTH }}>
              <span className="visually-hidden">Selected</span>
            </div>
          )}
          {columns.map(headerCell)}
        </div>
        <div className="vgrid-body" style={{ height: scale.height, width }}>
          {rows}
        </div>
        {total === 0 && <p className="muted vgrid-empty">No rows.</p>}
      </div>
      {editing?.error && (
        <p id={errorId} role="alert" className="vgrid-edit-error">
          {editing.column}: {editing.error} (Enter saves, Escape cancels)
        </p>
      )}
    </div>
  );
}
