// The pipelines the user belongs to, with their role; create a pipeline or import a schema.
import { useCallback, useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { pipelineApi, post } from "../api/client";
import { listPipelines, type Pipeline } from "../api/session";
import { ErrorMessage } from "../components/ErrorMessage";

export function PipelinesPage() {
  const [pipelines, setPipelines] = useState<Pipeline[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      const found = await listPipelines();
      setPipelines(Array.isArray(found) ? found : found.results);
    } catch (failure) {
      setError(failure);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section>
      <h1>Pipelines</h1>
      <ErrorMessage error={error} />
      {pipelines && pipelines.length === 0 && (
        <p className="muted">You are not a member of any pipeline yet. Create one below.</p>
      )}
      {pipelines && pipelines.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Pipeline</th>
              <th>Schemas</th>
              <th>Your role</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((pipeline) => (
              <tr key={pipeline.slug}>
                <td>
                  <Link to={`/p/${pipeline.slug}/dashboard`}>{pipeline.name}</Link>
                </td>
                <td>{(pipeline.schemas ?? []).join(", ")}</td>
                <td>
                  <span className={`role role-${pipeline.role}`}>{pipeline.role}</span>
                </td>
                <td>{pipeline.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreatePipeline />
    </section>
  );
}

function CreatePipeline() {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [schema, setSchema] = useState("");
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const created = await post<Pipeline>("/api/pipelines/", {
        name,
        schemas: schema ? [schema] : [],
      });
      if (importing && schema) {
        await post(`${pipelineApi(created.slug)}/import/`, { schema });
      }
      navigate(`/p/${created.slug}/builder`);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form className="card stack" onSubmit={(event) => void submit(event)}>
      <h2>New pipeline</h2>
      <label>
        Name
        <input name="name" value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <label>
        Schema in the data database
        <input
          name="schema"
          value={schema}
          placeholder="lab"
          onChange={(event) => setSchema(event.target.value)}
        />
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={importing}
          onChange={(event) => setImporting(event.target.checked)}
        />
        Import the tables this schema already has (an existing DataJoint schema)
      </label>
      <ErrorMessage error={error} />
      <button type="submit" className="primary">
        Create pipeline
      </button>
    </form>
  );
}
