// Placeholder until this page is built.
import { usePipeline } from "../../components/pipeline";

export default function BrowsePage() {
  const pipeline = usePipeline();
  return <p className="muted">{pipeline.name}: this page is being built.</p>;
}
