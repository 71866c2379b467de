// "Show the code": a dialog with Python the user can copy into a notebook.
import { useState } from "react";

export function ShowCode({ code, label = "Show the code" }: { code: string; label?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <div className="modal" role="dialog" aria-modal="true" aria-label="Code">
          <div className="modal-body">
            <pre className="code">{code}</pre>
            <div className="actions">
              <button type="button" onClick={() => void navigator.clipboard?.writeText(code)}>
                Copy
              </button>
              <button type="button" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
