// A table's failed keys grouped by exception type: the message (and traceback when the API
// gives one), the keys; operators retry a group (its errors cleared, a run of exactly those
// keys), clear it, or ignore one key (no worker makes it until its job is cleared).
import { useEffect, useMemo, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { DashboardApi, JobError, Run } from "./api";
import { keysCondition, keyText } from "./restriction";

interface Group {
  error: string;
  items: JobError[];
  messages: string[];
}

export function groupErrors(errors: JobError[]): Group[] {
  const groups = new Map<string, JobError[]>();
  for (const item of errors) groups.set(item.error, [...(groups.get(item.error) ?? []), item]);
  return [...groups.entries()]
    .map(([error, items]) => ({ error, items, messages: [...new Set(items.map((i) => i.message))] }))
    .sort((a, b) => b.items.length - a.items.length || a.error.localeCompare(b.error));
}

export function ErrorGroups({
  api,
  schema,
  table,
  version,
  canOperate,
  onRunStarted,
  onChanged,
}: {
  api: DashboardApi;
  schema: string;
  table: string;
  version: number;
  canOperate: boolean;
  onRunStarted: (run: Run) => void;
  onChanged: () => void;
}) {
  const [errors, setErrors] = useState<JobError[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    api.errors(schema, table).then(
      (found) => live && setErrors(found),
      (error: unknown) => live && setFailure(error),
    );
    return () => {
      live = false;
    };
  }, [api, schema, table, version, reload]);

  const groups = useMemo(() => groupErrors(errors ?? []), [errors]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await action();
      setReload((n) => n + 1);
      onChanged();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const retry = (group: Group) =>
    act(async () => {
      const keys = group.items.map((item) => item.key as Record<string, unknown>);
      await api.clear(schema, table, group.error);
      const workers = Math.min(4, keys.length);
      onRunStarted(await api.start({ schema, table, restriction: keysCondition(keys), workers }));
    });

  if (errors === null) return failure ? <ErrorMessage error={failure} /> : null;
  return (
    <section className="errors" aria-label={`Errors of ${table}`}>
      <h3>Errors</h3>
      {groups.length === 0 && <p className="muted">No failed keys.</p>}
      {groups.map((group) => (
        <article key={group.error} className="error-group" aria-label={group.error}>
          <header className="row">
            <h4 className="exception">{group.error}</h4>
            <span className="badge failed">
              {group.items.length} {group.items.length === 1 ? "key" : "keys"}
            </span>
            {canOperate && (
              <>
                <button type="button" disabled={busy} onClick={() => void retry(group)}>
                  Retry {group.error}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void act(async () => void (await api.clear(schema, table, group.error)))}
                >
                  Clear {group.error}
                </button>
              </>
            )}
          </header>
          {group.messages.map((message) => (
            <p key={message} className="error-message">
              {message}
            </p>
          ))}
          <ul className="error-keys">
            {group.items.map((item) => (
              <li key={keyText(item.key)}>
                <code>{keyText(item.key)}</code>{" "}
                <span className="muted">on {item.worker}</span>
                {item.traceback && (
                  <details>
                    <summary>Traceback</summary>
                    <pre className="code">{item.traceback}</pre>
                  </details>
                )}
                {canOperate && (
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    aria-label={`Ignore ${keyText(item.key)}`}
                    onClick={() => void act(async () => void (await api.ignore(schema, table, item.key)))}
                  >
                    Ignore
                  </button>
                )}
              </li>
            ))}
          </ul>
        </article>
      ))}
      <ErrorMessage error={failure} />
    </section>
  );
}
