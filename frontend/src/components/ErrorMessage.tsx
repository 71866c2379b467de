// An API error as the user reads it: the message, and the details (which row, which line) below.
import { ApiError } from "../api/client";

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : undefined;
  const hasDetails =
    details !== undefined &&
    details !== null &&
    !(typeof details === "object" && Object.keys(details as object).length === 0);
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {hasDetails && <pre className="details">{JSON.stringify(details, null, 2)}</pre>}
    </div>
  );
}
