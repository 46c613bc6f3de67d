import type { Server } from 'node:http';
import { OperatorError } from '../operator-error';

/** The port is taken or the address cannot be bound. */
export class ListenError extends OperatorError {
  override readonly name = 'ListenError';
}

/** Listens on host:port; a taken port or a bad address becomes a ListenError naming it. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use; stop the other process or set PORT to a free port`
          : `cannot listen on ${host}:${port} (${error.code ?? error.message}); check HOST and PORT`;
      reject(new ListenError(reason));
    });
    server.listen(port, host, resolve);
  });
}
