/** A response over a real port: status and parsed JSON body (null for 204). */
export interface JsonResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A `fetch` client for a server listening at `base`, sending and reading JSON. */
export function jsonClient(base: string) {
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
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
}
