// The pipeline's tables (with attributes), and on request the diagram's nodes and foreign keys,
// loaded once per page; a failure of either is the hook's `error`.
import { useEffect, useState } from "react";
import { type DiagramEdge, type DiagramNode, fetchDiagram, fetchTables, type TableInfo } from "../api/tables";

export function useTables(slug: string, withDiagram = false) {
  const [tables, setTables] = useState<TableInfo[] | null>(null);
  const [diagram, setDiagram] = useState<{ nodes: DiagramNode[]; edges: DiagramEdge[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    fetchTables(slug).then(
      (found) => live && setTables(found),
      (failure: unknown) => live && setError(failure),
    );
    if (withDiagram) {
      fetchDiagram(slug).then(
        (found) => live && setDiagram({ nodes: found.nodes, edges: found.edges }),
        (failure: unknown) => live && setError(failure),
      );
    }
    return () => {
      live = false;
    };
  }, [slug, withDiagram]);
  return { tables, diagram, error };
}
