// The grid's columns for a table: one per attribute, sized by type, files as download links, and
// secondary attributes editable where the caller may correct rows.
import type { GridColumn } from "../../components/grid/VirtualGrid";
import { displayValue, editableInCell, type Field } from "../../lib/forms";
import type { Row } from "./api";

function widthOf(field: Field): number {
  switch (field.control) {
    case "integer":
      return 100;
    case "float":
    case "decimal":
      return 110;
    case "date":
    case "time":
      return 115;
    case "datetime":
      return 175;
    case "json":
      return 220;
    case "file":
    case "none":
      return 130;
    default:
      return Math.min(260, Math.max(110, (field.maxLength ?? 24) * 7));
  }
}

function Cell({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">null</span>;
  const download = typeof value === "object" ? (value as { download?: string | null }).download : null;
  if (download) return <a href={download}>{displayValue(value)}</a>;
  return <>{displayValue(value)}</>;
}

export function columnsOf(fields: Field[], editable: boolean): GridColumn<Row>[] {
  return fields.map((field) => ({
    id: field.name,
    label: field.name,
    width: widthOf(field),
    title: [field.attribute.type, field.attribute.in_key ? "key" : "", field.attribute.comment]
      .filter(Boolean)
      .join(" · "),
    render: (row: Row) => <Cell value={row[field.name]} />,
    editable: editable && editableInCell(field),
    editText: (row: Row) => displayValue(row[field.name]),
    sortable: field.attribute.storage === "value" && field.control !== "json",
  }));
}
