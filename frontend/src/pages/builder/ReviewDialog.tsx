// "Review": the plan against the live database (tables created, altered and dropped, with the
// rows each touches, what would be lost, what the database refuses), then "Apply".
import { useEffect, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { DefinitionsApi, PlanItem, RevisionDetail, Validation } from "./api";
import { Modal } from "./Modal";

export function ReviewDialog({
  api,
  prepare,
  onApplied,
  onClose,
}: {
  api: DefinitionsApi;
  /** Saves pending edits, then validates. */
  prepare: () => Promise<Validation | null>;
  onApplied: (revision: RevisionDetail) => void;
  onClose: () => void;
}) {
  const [plan, setPlan] = useState<Validation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [allowLoss, setAllowLoss] = useState(false);
  const [applying, setApplying] = useState(false);
  const [applied, setApplied] = useState<RevisionDetail | null>(null);
  useEffect(() => {
    let live = true;
    prepare().then(
      (result) => live && (result ? setPlan(result) : setError(new Error("The plan could not be made."))),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [prepare]);

  const apply = async () => {
    setApplying(true);
    setError(null);
    try {
      const revision = await api.apply(message, allowLoss);
      setApplied(revision);
      onApplied(revision);
    } catch (failure) {
      setError(failure);
    } finally {
      setApplying(false);
    }
  };

  const lossy = (plan?.data_loss.length ?? 0) > 0;
  const canApply = plan !== null && plan.ok && plan.plan.length > 0 && (!lossy || allowLoss) && !applied;
  return (
    <Modal title="Review the plan" onClose={onClose} wide>
      {!plan && !error && <p className="muted">Planning against the live database…</p>}
      {plan && (
        <>
          {plan.errors.length > 0 && (
            <div className="error" role="alert">
              <strong>Fix these first:</strong>
              <ul>
                {plan.errors.map((e, i) => (
                  <li key={i}>
                    {e.class_name}
                    {e.line ? ` line ${e.line}` : ""}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {plan.refusals.map((r, i) => (
            <div key={i} className="error" role="alert">
              {r}
            </div>
          ))}
          {plan.plan.length === 0 && plan.ok && <p>Nothing to change: the database matches the definitions.</p>}
          {plan.plan.length > 0 && <PlanTable items={plan.plan} />}
          {lossy && (
            <div className="warning">
              <strong>Applying discards data:</strong>
              <ul>
                {plan.data_loss.map((loss, i) => (
                  <li key={i}>{loss}</li>
                ))}
              </ul>
              <label className="inline">
                <input type="checkbox" checked={allowLoss} onChange={(e) => setAllowLoss(e.target.checked)} />
                Allow data loss
              </label>
            </div>
          )}
          {!applied && plan.plan.length > 0 && (
            <div className="row apply-row">
              <label className="grow">
                Revision message
                <input value={message} onChange={(e) => setMessage(e.target.value)} placeholder="What changes and why" />
              </label>
              <button type="button" className="primary" disabled={!canApply || applying} onClick={() => void apply()}>
                {applying ? "Applying…" : "Apply"}
              </button>
            </div>
          )}
          {applied && (
            <p className="ok" role="status">
              Applied as revision {applied.number}.
            </p>
          )}
        </>
      )}
      <ErrorMessage error={error} />
    </Modal>
  );
}

function PlanTable({ items }: { items: PlanItem[] }) {
  return (
    <table className="grid plan" aria-label="Plan">
      <thead>
        <tr>
          <th>Action</th>
          <th>Table</th>
          <th>Rows</th>
          <th>What happens</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item, i) => (
          <tr key={i} className={`plan-${item.action}`}>
            <td>{item.action}</td>
            <td>
              {item.schema}.{item.class_name}
            </td>
            <td>{item.rows ?? (item.action === "create" ? "new" : "")}</td>
            <td>
              {item.changes?.map((c, j) => (
                <div key={j}>{c}</div>
              ))}
              {item.reasons?.map((c, j) => (
                <div key={j} className="warn-text">
                  {c}
                </div>
              ))}
              {item.blocked_by?.length ? <div className="warn-text">blocked by {item.blocked_by.join(", ")}</div> : null}
              <details>
                <summary>SQL</summary>
                <pre className="code">{item.statements.join(";\n")}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
