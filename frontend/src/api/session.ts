// Who is signed in, and the pipelines they belong to.
import { get, post } from "./client";

export interface Me {
  username: string;
  is_staff: boolean;
}

export type Role = "owner" | "maintainer" | "operator" | "entry" | "viewer";

const ROLE_ORDER: Role[] = ["viewer", "entry", "operator", "maintainer", "owner"];

/** True when `role` is at least `needed` (owner > maintainer > operator > entry > viewer). */
export function atLeast(role: Role | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

export interface Pipeline {
  slug: string;
  name: string;
  description: string;
  schemas: string[];
  created_at: string;
  role: Role;
}

export const fetchMe = () => get<Me>("/api/auth/me/");
export const signIn = (username: string, password: string) =>
  post<Me>("/api/auth/login/", { username, password });
export const signOut = () => post<void>("/api/auth/logout/");
export const listPipelines = () => get<Pipeline[] | { results: Pipeline[] }>("/api/pipelines/");
export const fetchPipeline = (slug: string) =>
  get<Pipeline>(`/api/pipelines/${encodeURIComponent(slug)}/`);
