import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DiagramEdge, DiagramTable } from "./model";

const { layoutDiagram } = vi.hoisted(() => ({
  layoutDiagram: vi.fn(async (tables: DiagramTable[]) => ({
    positions: Object.fromEntries(tables.map((t, i) => [t.id, { x: i * 10, y: 0 }])),
    sizes: Object.fromEntries(tables.map((t) => [t.id, { width: 100, height: 40 }])),
  })),
}));
vi.mock("./layout", () => ({ layoutDiagram }));

const { cachedLayout, hasLayouts, layoutDiagramCached, layoutSignature } = await import(
  "./layoutCache"
);

const table = (id: string, attributes = 1): DiagramTable => ({
  id,
  schema: "lab",
  name: id,
  tier: "Manual",
  master: null,
  attributes: Array.from({ length: attributes }, (_, i) => ({
    name: `a${i}`,
    type: "int32",
    inKey: i === 0,
  })),
});
const edge = (parent: string, child: string): DiagramEdge => ({
  id: `${parent}-${child}`,
  parent,
  child,
  primary: true,
  renamed: {},
});

describe("layoutSignature", () => {
  it("names the structure, not the order it came in", () => {
    const a = layoutSignature([table("A"), table("B")], [edge("A", "B")], true, () => 0);
    const b = layoutSignature([table("B"), table("A")], [edge("A", "B")], true, () => 0);
    expect(a).toBe(b);
  });
  it("changes with a table, an edge, a node size or the compact mode", () => {
    const base = layoutSignature([table("A"), table("B")], [], false, () => 0);
    expect(layoutSignature([table("A"), table("C")], [], false, () => 0)).not.toBe(base);
    expect(layoutSignature([table("A"), table("B")], [edge("A", "B")], false, () => 0)).not.toBe(
      base,
    );
    expect(layoutSignature([table("A", 3), table("B")], [], false, () => 0)).not.toBe(base);
    expect(layoutSignature([table("A"), table("B")], [], false, () => 12)).not.toBe(base);
    expect(layoutSignature([table("A"), table("B")], [], true, () => 0)).not.toBe(base);
  });
});

describe("layoutDiagramCached", () => {
  beforeEach(() => {
    layoutDiagram.mockClear();
  });

  it("lays a diagram out once and serves the same structure from memory", async () => {
    const tables = [table("A"), table("B")];
    expect(hasLayouts("p1")).toBe(false);
    const first = await layoutDiagramCached("p1", tables, [edge("A", "B")]);
    const again = await layoutDiagramCached("p1", [table("B"), table("A")], [edge("A", "B")]);
    expect(layoutDiagram).toHaveBeenCalledTimes(1);
    expect(again).toEqual(first);
    expect(hasLayouts("p1")).toBe(true);
    expect(hasLayouts("p2")).toBe(false);
    const signature = `p1::${layoutSignature(tables, [edge("A", "B")], false, () => 0)}`;
    expect(cachedLayout(signature)).toEqual(first);
  });

  it("lays out again when the structure changes or in another scope", async () => {
    await layoutDiagramCached("p3", [table("A")], []);
    await layoutDiagramCached("p3", [table("A"), table("B")], []);
    await layoutDiagramCached("p4", [table("A")], []);
    expect(layoutDiagram).toHaveBeenCalledTimes(3);
  });
});
