/** A response over a real port: status and parsed JSON body (null for 204). */
export interface JsonResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One exchange as received, for a caller that checks every response (the tests' contract check). */
export interface ReceivedExchange {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentType: string | undefined;
}

/**
 * A `fetch` client for a server listening at `base`, sending and reading
 * JSON; `inspect`, when given, sees every response before the caller does.
 */
export function jsonClient(base: string, inspect?: (exchange: ReceivedExchange) => Promise<void>) {
  return async (
    method: string,
    path: string,
    body?: object,
    token?: string,
  ): Promise<JsonResponse> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json: unknown = res.status === 204 ? null : await res.json();
    await inspect?.({
      method,
      url: path,
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: json ?? undefined,
      contentType: res.headers.get('content-type') ?? undefined,
    });
    return { status: res.status, body: json };
  };
}
