// The outcome of an insert or its dry run under the controls that sent it: the failure, or what
// was written.
import { ErrorMessage } from "../../components/ErrorMessage";

export function InsertOutcome({ failure, done }: { failure: unknown; done: string | null }) {
  return (
    <>
      <ErrorMessage error={failure} />
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
    </>
  );
}
