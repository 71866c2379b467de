// The edit box of one grid cell: Enter saves, Escape cancels, the reason of a refused value is
// announced (aria-invalid, described by the grid's error line).
interface Props {
  label: string;
  text: string;
  error: string | null;
  errorId: string;
  saving: boolean;
  onText: (text: string) => void;
  onSave: () => void;
  onCancel: () => void;
}

export function CellEditor({ label, text, error, errorId, saving, onText, onSave, onCancel }: Props) {
  return (
    <input
      className="vgrid-input"
      aria-label={`Edit ${label}`}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
      aria-busy={saving || undefined}
      autoFocus
      value={text}
      readOnly={saving}
      onChange={(event) => onText(event.target.value)}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === "Enter") onSave();
        if (event.key === "Escape") onCancel();
      }}
    />
  );
}
