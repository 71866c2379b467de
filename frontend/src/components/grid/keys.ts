// Moving the active cell of a grid with the keyboard.

export interface Cell {
  index: number;
  column: number;
}

/** Where `key` moves the active cell (null: the key does not move it). `pageRows` is how many
 *  rows Page Up/Down skip. */
export function moved(key: string, current: Cell, total: number, columns: number, pageRows: number): Cell | null {
  const clampRow = (index: number) => Math.max(0, Math.min(total - 1, index));
  const clampColumn = (column: number) => Math.max(0, Math.min(columns - 1, column));
  switch (key) {
    case "ArrowDown":
      return { index: clampRow(current.index + 1), column: current.column };
    case "ArrowUp":
      return { index: clampRow(current.index - 1), column: current.column };
    case "ArrowRight":
      return { index: current.index, column: clampColumn(current.column + 1) };
    case "ArrowLeft":
      return { index: current.index, column: clampColumn(current.column - 1) };
    case "PageDown":
      return { index: clampRow(current.index + pageRows), column: current.column };
    case "PageUp":
      return { index: clampRow(current.index - pageRows), column: current.column };
    case "Home":
      return { index: 0, column: current.column };
    case "End":
      return { index: clampRow(total - 1), column: current.column };
    default:
      return null;
  }
}
