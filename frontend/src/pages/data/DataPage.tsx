// Data entry (/p/:slug/data and /p/:slug/data/:schema/:table): the pipeline's tables on the left,
// the picked table's rows, form, paste, upload, export and delete on the right.
import { NavLink, useParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { useTables } from "../../components/useTables";
import { TableView } from "./TableView";
import "./data.css";

export default function DataPage() {
  const { slug } = usePipeline();
  const { schema, table } = useParams();
  const { tables, error: failure } = useTables(slug);

  return (
    <div className="data-page">
      <nav className="table-list" aria-label="Tables">
        <h2>Tables</h2>
        <ErrorMessage error={failure} />
        {tables === null && !failure && <p className="muted">Loading…</p>}
        {tables?.length === 0 && <p className="muted">No tables yet: declare some in the Builder.</p>}
        <ul>
          {(tables ?? []).map((item) => (
            <li key={`${item.schema}.${item.name}`}>
              <NavLink
                to={`/p/${encodeURIComponent(slug)}/data/${encodeURIComponent(item.schema)}/${encodeURIComponent(item.name)}`}
                title={item.entry ? "Rows are entered here" : "Filled by populate: read-only"}
              >
                <span className={`tier-dot tier-${item.tier}`} aria-hidden="true" />
                <span className="table-list-name">{item.name}</span>
                <span className="muted table-list-schema">{item.schema}</span>
                {item.entry && <span className="visually-hidden"> (entry)</span>}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="data-main">
        {schema && table ? (
          <TableView key={`${schema}.${table}`} schema={schema} name={table} />
        ) : (
          <p className="muted">Pick a table on the left to see its rows and enter new ones.</p>
        )}
      </main>
    </div>
  );
}
