// The builder's state: the tables being edited, undo/redo, saving each change as drafts
// (debounced; creates, updates and deletes worked out against what the server holds), and
// validation by the API after every save.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { definitionsApi, type Validation } from "./api";
import { fromServer, idOf, shortName, type BuilderTable } from "./tables";

interface Saved extends BuilderTable {
  id: number;
  status: string;
}

const SAVE_DELAY_MS = 350;
const COALESCE_MS = 1500;
const HISTORY_LIMIT = 200;

export interface CommitOptions {
  /** Consecutive commits with the same tag within a moment are one undo step (typing). */
  coalesce?: string;
}

export function useBuilder(slug: string, canEdit: boolean) {
  const api = useMemo(() => definitionsApi(slug), [slug]);
  const [tables, setTables] = useState<BuilderTable[] | null>(null);
  const current = useRef<BuilderTable[]>([]);
  const past = useRef<BuilderTable[][]>([]);
  const future = useRef<BuilderTable[][]>([]);
  const lastTag = useRef<{ tag: string; at: number } | null>(null);
  const [history, setHistory] = useState({ canUndo: false, canRedo: false });
  const saved = useRef(new Map<string, Saved>());
  const [statuses, setStatuses] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [validating, setValidating] = useState(false);
  const dirty = useRef(false);
  const running = useRef<Promise<void> | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const validationRun = useRef(0);

  const refreshStatuses = () =>
    setStatuses(Object.fromEntries([...saved.current].map(([key, s]) => [key, s.status])));

  /** One pass making the server's drafts what the client holds. */
  const syncOnce = useCallback(async () => {
    const wanted = current.current;
    const byKey = new Map(wanted.map((t) => [t.key, t]));
    const store = saved.current;
    let failure: unknown = null;
    const partsFirst = (a: Saved, b: Saved) => Number(!a.master) - Number(!b.master);
    for (const gone of [...store.values()].filter((s) => !byKey.has(s.key)).sort(partsFirst)) {
      try {
        await api.remove(gone.id);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) {
          failure = error;
          continue;
        }
      }
      store.delete(gone.key);
    }
    const fresh = wanted.filter((t) => !store.has(t.key));
    fresh.sort((a, b) => Number(Boolean(a.master)) - Number(Boolean(b.master)));
    for (const table of fresh) {
      try {
        const out = await api.create({
          schema: table.schema,
          class_name: table.className,
          tier: table.tier,
          definition: table.definition,
          master: table.master,
          position_x: table.x,
          position_y: table.y,
        });
        store.set(table.key, { ...table, id: out.id, status: out.status ?? "draft" });
      } catch (error) {
        failure = error;
      }
    }
    for (const table of wanted) {
      const before = store.get(table.key);
      if (!before) continue;
      const change: Record<string, string | number> = {};
      if (table.definition !== before.definition) change.definition = table.definition;
      if (table.x !== before.x) change.position_x = table.x;
      if (table.y !== before.y) change.position_y = table.y;
      if (table.tier !== before.tier) change.tier = table.tier;
      if (table.className !== before.className) change.class_name = shortName(table.className);
      if (!Object.keys(change).length) continue;
      try {
        const out = await api.update(before.id, change);
        store.set(table.key, { ...before, ...table, status: out.status ?? "draft" });
        if (change.class_name && !table.master) {
          // the server renames the master's parts with it
          for (const part of store.values()) {
            if (part.schema === table.schema && part.master === before.className) {
              part.master = table.className;
              part.className = `${table.className}.${shortName(part.className)}`;
            }
          }
        }
      } catch (error) {
        failure = error;
      }
    }
    setSaveError(failure);
    refreshStatuses();
  }, [api]);

  /** Save everything pending; resolves when the server holds the client's tables. */
  const flush = useCallback(async () => {
    window.clearTimeout(timer.current);
    setSaving(true);
    while (running.current || dirty.current) {
      if (running.current) {
        await running.current;
        continue;
      }
      dirty.current = false;
      const run = syncOnce();
      running.current = run;
      try {
        await run;
      } finally {
        running.current = null;
      }
    }
    setSaving(false);
  }, [syncOnce]);

  const validate = useCallback(async () => {
    if (!canEdit) return null;
    const run = (validationRun.current += 1);
    setValidating(true);
    try {
      const result = await api.validate();
      if (run === validationRun.current) setValidation(result);
      return result;
    } catch (error) {
      if (run === validationRun.current) setSaveError(error);
      return null;
    } finally {
      if (run === validationRun.current) setValidating(false);
    }
  }, [api, canEdit]);

  const schedule = useCallback(() => {
    if (!canEdit) return;
    dirty.current = true;
    setSaving(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      void flush().then(() => {
        if (!dirty.current) void validate();
      });
    }, SAVE_DELAY_MS);
  }, [canEdit, flush, validate]);

  const show = (next: BuilderTable[]) => {
    current.current = next;
    setTables(next);
    setHistory({ canUndo: past.current.length > 0, canRedo: future.current.length > 0 });
  };

  /** Make `next` the tables (one undo step, or part of the last one with the same tag). */
  const commit = useCallback(
    (next: BuilderTable[], options: CommitOptions = {}) => {
      const now = Date.now();
      const last = lastTag.current;
      const joins = options.coalesce && last?.tag === options.coalesce && now - last.at < COALESCE_MS;
      if (!joins) {
        past.current.push(current.current);
        if (past.current.length > HISTORY_LIMIT) past.current.shift();
      }
      future.current = [];
      lastTag.current = options.coalesce ? { tag: options.coalesce, at: now } : null;
      show(next);
      schedule();
    },
    [schedule],
  );

  const undo = useCallback(() => {
    const previous = past.current.pop();
    if (!previous) return;
    future.current.push(current.current);
    lastTag.current = null;
    show(previous);
    schedule();
  }, [schedule]);

  const redo = useCallback(() => {
    const next = future.current.pop();
    if (!next) return;
    past.current.push(current.current);
    lastTag.current = null;
    show(next);
    schedule();
  }, [schedule]);

  /** Positions the page worked out itself (the first layout): shown, not an undo step, and
   * saved with the next change (opening the builder writes nothing; a drag then saves every
   * table's place, not only the dragged one's, so the others do not fall back to the origin). */
  const placeQuietly = useCallback((next: BuilderTable[]) => {
    current.current = next;
    setTables(next);
  }, []);

  const load = useCallback(async () => {
    try {
      const list = await api.list();
      const loaded = list.map(fromServer);
      saved.current = new Map(
        list.map((out, i) => [loaded[i].key, { ...loaded[i], id: out.id, status: out.status ?? "draft" }]),
      );
      refreshStatuses();
      past.current = [];
      future.current = [];
      dirty.current = false;
      show(loaded);
      setLoadError(null);
      void validate();
      return loaded;
    } catch (error) {
      setLoadError(error);
      return null;
    }
  }, [api, validate]);

  useEffect(() => {
    void load();
    return () => window.clearTimeout(timer.current);
  }, [load]);

  /** Validation errors by table id (`schema.ClassName`). */
  const errors = useMemo(() => {
    const found = new Map<string, Validation["errors"]>();
    for (const error of validation?.errors ?? []) {
      const id = `${error.schema}.${error.class_name}`;
      found.set(id, [...(found.get(id) ?? []), error]);
    }
    return found;
  }, [validation]);

  return {
    api,
    tables,
    commit,
    undo,
    redo,
    history,
    placeQuietly,
    load,
    flush,
    validate,
    validation,
    validating,
    errors,
    saving,
    saveError,
    loadError,
    statuses,
    idOf,
  };
}

export type Builder = ReturnType<typeof useBuilder>;
