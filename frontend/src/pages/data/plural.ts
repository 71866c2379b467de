// Counts of rows as the data entry page words them.

/** "1 row", "3 rows". */
export const rowsOf = (count: number) => `${count} ${count === 1 ? "row" : "rows"}`;
