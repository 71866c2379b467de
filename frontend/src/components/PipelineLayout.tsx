// A pipeline's pages: its name, the tabs the caller's role allows, and the page below.
import { useEffect, useState } from "react";
import { NavLink, Outlet, useParams } from "react-router";
import { atLeast, fetchPipeline, type Pipeline, type Role } from "../api/session";
import { ErrorMessage } from "./ErrorMessage";
import { PipelineContext } from "./pipeline";

const TABS: { to: string; label: string; role: Role }[] = [
  { to: "dashboard", label: "Dashboard", role: "viewer" },
  { to: "builder", label: "Builder", role: "viewer" },
  { to: "data", label: "Data entry", role: "viewer" },
  { to: "browse", label: "Browse & query", role: "viewer" },
  { to: "visualize", label: "Visualize", role: "viewer" },
];

export function PipelineLayout() {
  const { slug = "" } = useParams();
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    fetchPipeline(slug).then(
      (found) => live && setPipeline(found),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [slug]);
  if (error) return <ErrorMessage error={error} />;
  if (!pipeline) return <p className="muted">Loading…</p>;
  return (
    <PipelineContext.Provider value={pipeline}>
      <div className="pipeline-head">
        <h1>{pipeline.name}</h1>
        <span className={`role role-${pipeline.role}`}>{pipeline.role}</span>
        <nav className="tabs" aria-label="Pipeline pages">
          {TABS.filter((tab) => atLeast(pipeline.role, tab.role)).map((tab) => (
            <NavLink key={tab.to} to={tab.to}>
              {tab.label}
            </NavLink>
          ))}
        </nav>
      </div>
      <Outlet />
    </PipelineContext.Provider>
  );
}
