// The one way the page talks to the portal: JSON over fetch, same origin, the session cookie, and
// Django's CSRF token on unsafe requests. Every failure becomes an ApiError carrying the API's
// error shape ({"error": {"code", "message", "details"}}).

export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }
}

function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: ErrorBody };
    if (body.error) return new ApiError(response.status, body.error);
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiError(response.status, {
    code: "http_error",
    message: `${response.status} ${response.statusText}`,
    details: {},
  });
}

/** Send a request and return the raw Response (for CSV and file downloads); throws ApiError. */
export async function apiFetch(
  method: string,
  path: string,
  body?: unknown,
  init?: RequestInit,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
    ...init,
  });
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** Send a request and decode its JSON answer (undefined for 204). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await apiFetch(method, path, body);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>("GET", withQuery(path, query));
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body);
export const patch = <T>(path: string, body?: unknown) => api<T>("PATCH", path, body);
export const del = <T>(path: string, body?: unknown) => api<T>("DELETE", path, body);

/** The URL prefix of one pipeline's endpoints. */
export const pipelineApi = (slug: string) => `/api/pipelines/${encodeURIComponent(slug)}`;

/** The URL prefix of one table's endpoints inside a pipeline. */
export const tableApi = (slug: string, schema: string, name: string) =>
  `${pipelineApi(slug)}/tables/${encodeURIComponent(schema)}/${encodeURIComponent(name)}`;
