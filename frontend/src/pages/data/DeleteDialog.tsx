// Deleting rows in two steps: the server's cascade preview (every table that would lose rows, with
// counts, or why the delete is refused), then a confirmation that deletes exactly that.
import { useEffect, useRef, useState } from "react";
import type { TableInfo } from "../../api/tables";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { confirmDelete, previewDelete, type DeletePreview, type Row } from "./api";
import { rowsOf } from "./plural";

interface Props {
  table: TableInfo;
  keys: Row[];
  onClose: () => void;
  onDeleted: (message: string) => void;
}


/** The tables that lose rows (the preview also lists downstream tables that lose none). */
const losing = (preview: DeletePreview) => preview.tables.filter((item) => item.rows > 0);

/** "1 Subject row, 2 Session rows" from the preview's tables. */
export function cascadeSentence(preview: DeletePreview, schema: string): string {
  const parts = losing(preview).map(
    (item) => `${rowsOf(item.rows)} of ${item.schema === schema ? item.table : `${item.schema}.${item.table}`}`,
  );
  return `This deletes ${parts.join(", ")} (${rowsOf(preview.total)} in all).`;
}

export function DeleteDialog({ table, keys, onClose, onDeleted }: Props) {
  const { slug } = usePipeline();
  const [preview, setPreview] = useState<DeletePreview | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    previewDelete(slug, table.schema, table.name, keys).then(
      (found) => live && setPreview(found),
      (problem: unknown) => live && setFailure(problem),
    );
    dialog.current?.focus();
    return () => {
      live = false;
    };
  }, [slug, table, keys]);

  const confirm = async () => {
    if (!preview?.token) return;
    setBusy(true);
    setFailure(null);
    try {
      const result = await confirmDelete(slug, table.schema, table.name, preview.token);
      onDeleted(`Deleted ${rowsOf(result.total)} in ${rowsOf(result.tables.length).replace("row", "table")}.`);
    } catch (problem) {
      setFailure(problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal" onKeyDown={(event) => event.key === "Escape" && onClose()}>
      <div
        ref={dialog}
        className="modal-body delete-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="delete-title"
        tabIndex={-1}
      >
        <h2 id="delete-title">
          Delete {rowsOf(keys.length)} of {table.name}
        </h2>
        {!preview && !failure && <p className="muted">Counting what the delete would take with it…</p>}
        {preview && (
          <>
            <p className="cascade">{cascadeSentence(preview, table.schema)}</p>
            <table className="grid" aria-label="Rows deleted per table">
              <thead>
                <tr>
                  <th>Table</th>
                  <th>Rows</th>
                </tr>
              </thead>
              <tbody>
                {losing(preview).map((item) => (
                  <tr key={`${item.schema}.${item.table}`}>
                    <td>
                      {item.schema}.{item.table}
                    </td>
                    <td>{item.rows}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {preview.refusal && (
              <div className="error" role="alert">
                <strong>The delete is refused.</strong> {preview.refusal}
              </div>
            )}
            {preview.expires_at && (
              <p className="muted small">
                This preview holds until {new Date(preview.expires_at).toLocaleTimeString()}; if the rows change
                before you confirm, the delete is refused and nothing is deleted.
              </p>
            )}
          </>
        )}
        <ErrorMessage error={failure} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={confirm}
            disabled={busy || !preview?.token}
          >
            {preview ? `Delete ${rowsOf(preview.total)}` : "Delete"}
          </button>
        </div>
      </div>
    </div>
  );
}
