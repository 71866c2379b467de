// What the entry form, paste and upload share around an insert or its dry run: busy while one
// runs, the failure to show, and the sentence saying what was written. A refused insert's bad
// rows go to the caller first, to be marked where they were typed.
import { useState } from "react";
import { invalidRows, type RowErrors } from "./api";

export function useInsert() {
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /**
   * Clear the last outcome and run `send`; what it resolves to is shown as done. When it throws
   * a refusal with bad rows and `onInvalid` takes them (returns true), no failure is shown.
   */
  const run = async (send: () => Promise<string | null>, onInvalid?: (rows: RowErrors[]) => boolean) => {
    setFailure(null);
    setDone(null);
    setBusy(true);
    try {
      setDone(await send());
    } catch (problem) {
      const bad = invalidRows(problem);
      if (!bad || !onInvalid?.(bad)) setFailure(problem);
    } finally {
      setBusy(false);
    }
  };

  return { failure, done, busy, run };
}
