// "Show the code": the pipeline as a Python module, written by the server from the drafts.
import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { DefinitionCode } from "./api";
import { Modal } from "./Modal";

export function CodeDialog({ load, onClose }: { load: () => Promise<DefinitionCode>; onClose: () => void }) {
  const [code, setCode] = useState<DefinitionCode | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    load().then(setCode, setError);
  }, [load]);
  return (
    <Modal title="Code" onClose={onClose} wide>
      {code && (
        <>
          <div className="row">
            <span className="muted">{code.filename}</span>
            <span className="spacer" />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(code.code)}>
              Copy
            </button>
          </div>
          <pre className="code" aria-label="Python module">
            {code.code}
          </pre>
        </>
      )}
      {!code && !error && <p className="muted">Writing the module…</p>}
      <ErrorMessage error={error} />
    </Modal>
  );
}
