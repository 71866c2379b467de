// The signed-in user, loaded once from /api/auth/me/ (which also sets the CSRF cookie).
import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { fetchMe, type Me } from "../api/session";

interface SessionState {
  me: Me | null;
  loading: boolean;
  refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionState>({
  me: null,
  loading: true,
  refresh: async () => {},
});

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      const user = await fetchMe();
      setMe(user.username ? user : null);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <SessionContext.Provider value={{ me, loading, refresh }}>{children}</SessionContext.Provider>
  );
}

export const useSession = () => useContext(SessionContext);
