import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts a test server on a free loopback port; its base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
