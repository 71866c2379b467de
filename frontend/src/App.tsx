// Page routes. Each pipeline page is loaded on demand, so signing in and the pipeline list stay
// small and the canvas (React Flow, elk) is only fetched by the pages that draw it.
import { lazy, Suspense } from "react";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { PipelineLayout } from "./components/PipelineLayout";
import { SessionProvider } from "./components/session";
import { LoginPage } from "./pages/LoginPage";
import { PipelinesPage } from "./pages/PipelinesPage";

const BuilderPage = lazy(() => import("./pages/builder/BuilderPage"));
const DataPage = lazy(() => import("./pages/data/DataPage"));
const BrowsePage = lazy(() => import("./pages/browse/BrowsePage"));
const VisualizePage = lazy(() => import("./pages/visualize/VisualizePage"));
const DashboardPage = lazy(() => import("./pages/dashboard/DashboardPage"));

const page = (element: React.ReactNode) => (
  <Suspense fallback={<p className="muted">Loading…</p>}>{element}</Suspense>
);

const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  {
    element: <Layout />,
    children: [
      { path: "/", element: <PipelinesPage /> },
      {
        path: "/p/:slug",
        element: <PipelineLayout />,
        children: [
          { index: true, element: <Navigate to="dashboard" replace /> },
          { path: "dashboard", element: page(<DashboardPage />) },
          { path: "builder", element: page(<BuilderPage />) },
          { path: "data", element: page(<DataPage />) },
          { path: "data/:schema/:table", element: page(<DataPage />) },
          { path: "browse", element: page(<BrowsePage />) },
          { path: "visualize", element: page(<VisualizePage />) },
        ],
      },
      { path: "*", element: <p>Page not found.</p> },
    ],
  },
]);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
