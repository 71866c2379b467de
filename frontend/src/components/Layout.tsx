// The frame of every signed-in page: the top bar (home, user, sign out) and the page below.
import { Link, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { signOut } from "../api/session";
import { useSession } from "./session";

export function Layout() {
  const { me, loading, refresh } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  if (loading) return <p className="muted">Loading…</p>;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  const leave = async () => {
    await signOut();
    await refresh();
    navigate("/login");
  };
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          Joinery
        </Link>
        <span className="spacer" />
        <span className="muted">{me.username}</span>
        <button type="button" className="link" onClick={() => void leave()}>
          Sign out
        </button>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
