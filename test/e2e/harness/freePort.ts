import { createServer } from 'node:net';

/**
 * Ports this process handed out already: the OS may give a port that was just closed to the next
 * `listen(0)`, so two servers started side by side (Phoenix and Jaeger in one `before`) could be
 * told the same port, and the one that binds second answers nothing of its own; its health check
 * then reaches the other (seen in CI: Phoenix's REST calls got Jaeger's UI page).
 */
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago and not handed out before by this process (the caller binds it next). */
export async function findFreePort(): Promise<number> {
  for (;;) {
    const port = await osPickedPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected server address: ${String(address)}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
