/**
 * The server's API as the designer uses it. Bearer token from POST /api/auth/token, kept in
 * sessionStorage. Errors come back as application/problem+json in the designer's language;
 * ApiError carries its field errors.
 */
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import type { FieldProblem } from '../modeler/problems.js';

export interface BundleSummary {
  code: string;
  version: number;
  status: 'active' | 'retired';
  name: { zh: string; en: string };
}

export interface BundleRecord {
  code: string;
  version: number;
  definition: BundleDefinition;
  xml: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}

const TOKEN = 'onething.designer.token';

export class Api {
  /** The designer's language: the server answers problems in it (Accept-Language). */
  lang: 'zh' | 'en' = 'zh';

  constructor(
    private readonly base = '/api',
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage,
  ) {}

  get signedIn(): boolean {
    return !!this.storage.getItem(TOKEN);
  }

  get user(): string | null {
    return this.storage.getItem(`${TOKEN}.user`);
  }

  async signIn(username: string, password: string): Promise<void> {
    const body = await this.call<{ access_token?: string; token?: string; user?: { name?: string } }>(
      'POST',
      '/auth/token',
      { username, password },
      false,
    );
    const token = body.access_token ?? body.token;
    if (!token) throw new ApiError(500, 'no token in the answer');
    this.storage.setItem(TOKEN, token);
    this.storage.setItem(`${TOKEN}.user`, body.user?.name ?? username);
  }

  signOut(): void {
    this.storage.removeItem(TOKEN);
    this.storage.removeItem(`${TOKEN}.user`);
  }

  async listBundles(): Promise<BundleSummary[]> {
    const body = await this.call<{ items: BundleSummary[] } | BundleSummary[]>('GET', '/bundles');
    return Array.isArray(body) ? body : body.items;
  }

  getBundle(code: string): Promise<BundleRecord> {
    return this.call('GET', `/bundles/${encodeURIComponent(code)}`);
  }

  deploy(bundle: BundleDefinition, xml: string): Promise<BundleSummary> {
    return this.call('POST', '/bundles', { bundle, xml });
  }

  private async call<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': this.lang === 'en' ? 'en' : 'zh-CN',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = this.storage.getItem(TOKEN);
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const json = text ? safeJson(text) : undefined;
    if (!response.ok) {
      if (response.status === 401) this.signOut();
      const problem = (json ?? {}) as { title?: string; detail?: string; errors?: FieldProblem[] };
      throw new ApiError(
        response.status,
        [problem.title, problem.detail].filter(Boolean).join('：') || `HTTP ${response.status}`,
        problem.errors ?? [],
      );
    }
    return json as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
