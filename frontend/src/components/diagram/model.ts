// The diagram as both the builder and the dashboard draw it: tables (tier, key above the line,
// secondary attributes below, parts inside their master) and foreign keys between them.

export type Tier = "Manual" | "Lookup" | "Imported" | "Computed" | "Part" | string;

export interface DiagramAttribute {
  name: string;
  type: string;
  inKey: boolean;
  /** A foreign-key attribute (drawn in italics, as DataJoint does). */
  fromParent?: boolean;
}

export interface DiagramTable {
  /** Stable id: the full table name (`schema.ClassName` for drafts). */
  id: string;
  schema: string;
  name: string;
  tier: Tier;
  /** A part's master (its id). */
  master: string | null;
  attributes: DiagramAttribute[];
}

export interface DiagramEdge {
  id: string;
  parent: string;
  child: string;
  /** The foreign key is part of the child's primary key. */
  primary: boolean;
  /** child attribute -> parent attribute, only where names differ (a renamed foreign key). */
  renamed: Record<string, string>;
}

export interface Position {
  x: number;
  y: number;
}

/** The size a table node takes on the canvas (layout needs it before React renders). */
export function nodeSize(table: DiagramTable, compact = false): { width: number; height: number } {
  const longest = Math.max(
    table.name.length + 4,
    ...(compact ? [] : table.attributes.map((a) => a.name.length + a.type.length + 3)),
  );
  const width = Math.min(320, Math.max(140, longest * 7 + 24));
  const lines = compact ? 0 : table.attributes.length;
  return { width, height: 34 + lines * 17 + (compact ? 0 : 8) };
}

/** DataJoint's tier colours (fill, stroke), as the engine's SVG diagrams use them. */
export const TIER_COLORS: Record<string, { fill: string; stroke: string }> = {
  Manual: { fill: "#E8F0E9", stroke: "#3E7A52" },
  Lookup: { fill: "#F0F0F1", stroke: "#808285" },
  Imported: { fill: "#E0F4FC", stroke: "#00A0DF" },
  Computed: { fill: "#FFEDE5", stroke: "#FF5113" },
  Part: { fill: "#FFFFFF", stroke: "#B9BBBE" },
};

export const tierColors = (tier: Tier) =>
  TIER_COLORS[tier] ?? { fill: "#FFFDE7", stroke: "#C9BC5B" };
