// Layouts remembered by the diagram's structure (tables, their sizes, the edges): a page that
// redraws the same diagram (a refresh, a reload, the next visit) reuses the positions instead of
// running elk again, and does not even fetch elk. Kept in memory and in localStorage.
import { layoutDiagram, type Layout } from "./layout";
import { nodeSize, type DiagramEdge, type DiagramTable } from "./model";

const STORAGE_KEY = "joinery.layouts";
const KEPT = 24;
const memory = new Map<string, Layout>();

/** A text naming everything the layout depends on. */
export function layoutSignature(
  tables: DiagramTable[],
  edges: DiagramEdge[],
  compact: boolean,
  extraHeight: (table: DiagramTable) => number,
): string {
  const nodes = tables
    .map((t) => {
      const size = nodeSize(t, compact);
      return `${t.id}|${t.master ?? ""}|${size.width}x${size.height + extraHeight(t)}`;
    })
    .sort();
  const links = edges.map((e) => `${e.parent}>${e.child}`).sort();
  return `${compact ? "c" : "f"};${nodes.join(";")};${links.join(";")}`;
}

function stored(): Record<string, Layout> {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as Record<string, Layout>;
  } catch {
    return {};
  }
}

function store(signature: string, layout: Layout): void {
  try {
    const entries = Object.entries(stored()).filter(([key]) => key !== signature);
    entries.push([signature, layout]);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(entries.slice(-KEPT))));
  } catch {
    // storage full or disabled: the memory cache still serves this page
  }
}

/** Whether any layout of this scope (a pipeline's page) is remembered: if none, the page
 * will need elk and may start fetching it early. */
export function hasLayouts(scope: string): boolean {
  const prefix = `${scope}::`;
  return (
    [...memory.keys()].some((key) => key.startsWith(prefix)) ||
    Object.keys(stored()).some((key) => key.startsWith(prefix))
  );
}

/** The remembered layout of this diagram, if any (no elk needed). */
export function cachedLayout(signature: string): Layout | null {
  const known = memory.get(signature) ?? stored()[signature] ?? null;
  if (known) memory.set(signature, known);
  return known;
}

/** layoutDiagram, remembered by the diagram's structure. */
export async function layoutDiagramCached(
  scope: string,
  tables: DiagramTable[],
  edges: DiagramEdge[],
  compact = false,
  extraHeight: (table: DiagramTable) => number = () => 0,
): Promise<Layout> {
  const signature = `${scope}::${layoutSignature(tables, edges, compact, extraHeight)}`;
  const known = cachedLayout(signature);
  if (known) return known;
  const layout = await layoutDiagram(tables, edges, compact, extraHeight);
  memory.set(signature, layout);
  store(signature, layout);
  return layout;
}
