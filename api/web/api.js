// The ledger's HTTP API as the page uses it: same origin, an optional bearer token, problem details.

const TOKEN_KEY = "ledger-token";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

// The path with its query; empty values are left out.
export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of [].concat(value)) if (v !== undefined && v !== null && v !== "") query.append(key, v);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function ask(path, params, signal, accept) {
  const headers = { Accept: accept };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url(path, params), { headers, signal });
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

export async function get(path, params = {}, signal = undefined) {
  return (await ask(path, params, signal, "application/json")).json();
}

// A file the API makes (a CSV), fetched with the token and saved: a plain link cannot send a token.
export async function download(href) {
  const response = await ask(href, {}, undefined, "text/csv");
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || "answer.csv";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// Answers are kept by their URL: one about a past `recorded_at` can never change; "now" is kept briefly.
export class Answers {
  constructor(nowSeconds = 20, size = 500) {
    this.entries = new Map();
    this.nowSeconds = nowSeconds;
    this.size = size;
  }

  async get(path, params, signal) {
    const key = url(path, params);
    const kept = this.entries.get(key);
    const fixed = Boolean(params.recorded_at) && Date.parse(params.recorded_at) < Date.now();
    if (kept && (fixed || performance.now() - kept.at < this.nowSeconds * 1000)) return kept.answer;
    const answer = await get(path, params, signal);
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value);
    this.entries.set(key, { answer, at: performance.now() });
    return answer;
  }

  clear() {
    this.entries.clear();
  }
}
