// The pipeline a page is about (from the route's :slug) and the caller's role on it.
import { createContext, useContext } from "react";
import type { Pipeline } from "../api/session";

export const PipelineContext = createContext<Pipeline | null>(null);

/** The current pipeline; only inside PipelineLayout. */
export function usePipeline(): Pipeline {
  const pipeline = useContext(PipelineContext);
  if (!pipeline) throw new Error("usePipeline outside a pipeline page");
  return pipeline;
}
