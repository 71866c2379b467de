// Sign in with a username and password (a session cookie; the API throttles attempts).
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { signIn } from "../api/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { useSession } from "../components/session";

export function LoginPage() {
  const { me, refresh } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = params.get("next") || "/";
  if (me) return <Navigate to={next} replace />;
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      await refresh();
      navigate(next.startsWith("/") ? next : "/");
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <h1>Joinery</h1>
      <p className="muted">Relational data pipelines for the lab.</p>
      <form onSubmit={(event) => void submit(event)} className="stack">
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
