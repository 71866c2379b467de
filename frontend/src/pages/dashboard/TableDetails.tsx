// The selected table: its counts and jobs, starting a run (operators), and its errors.
import type { DashboardApi, DiagramOut, Run, TableStatus } from "./api";
import { ErrorGroups } from "./ErrorGroups";
import { StartRun } from "./StartRun";
import { TableState } from "./TableState";

export function TableDetails({
  api,
  diagram,
  schema,
  name,
  status,
  activeRun,
  canOperate,
  errorsVersion,
  onRunStarted,
  onChanged,
}: {
  api: DashboardApi;
  diagram: DiagramOut;
  schema: string;
  name: string;
  status?: TableStatus;
  activeRun?: Run;
  canOperate: boolean;
  errorsVersion: number;
  onRunStarted: (run: Run) => void;
  onChanged: () => void;
}) {
  const node = diagram.nodes.find((n) => n.schema === schema && n.name === name);
  const jobs = status?.jobs ?? {};
  return (
    <section className="panel details" aria-labelledby="details-title">
      <h2 id="details-title">
        {name} <span className="muted">{node?.tier}</span>
      </h2>
      <TableState rows={node?.rows ?? null} status={status} run={activeRun} />
      {status ? (
        <>
          <dl className="figures">
            <dt>Rows</dt>
            <dd>{status.rows.toLocaleString()}</dd>
            <dt>Keys</dt>
            <dd>{status.keys.toLocaleString()}</dd>
            <dt>Remaining</dt>
            <dd>{status.remaining.toLocaleString()}</dd>
            {Object.entries(jobs)
              .filter(([kind, count]) => kind !== "total" && count > 0)
              .map(([kind, count]) => (
                <div key={kind} className="figure">
                  <dt>Jobs {kind}</dt>
                  <dd>{count}</dd>
                </div>
              ))}
          </dl>
          {canOperate && (
            <StartRun
              key={`${schema}.${name}`}
              api={api}
              table={status}
              keyNames={node?.primary_key ?? []}
              onStarted={onRunStarted}
            />
          )}
          <ErrorGroups
            api={api}
            schema={schema}
            table={name}
            version={errorsVersion}
            canOperate={canOperate}
            onRunStarted={onRunStarted}
            onChanged={onChanged}
          />
        </>
      ) : (
        <p className="muted">
          {node?.tier === "Part"
            ? "A part is made with its master: select the master to populate it."
            : "Rows of this table are entered, not computed: nothing to populate."}
        </p>
      )}
    </section>
  );
}
