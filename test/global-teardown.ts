/** Jest global tear-down: stops the test MongoDB-wire server started by global-setup.ts. */
import type { MongoServer } from './mongo-server/launch.js';

declare global {
  var __ONETHING_MONGO_SERVER__: MongoServer | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__ONETHING_MONGO_SERVER__;
  if (!server) return;
  globalThis.__ONETHING_MONGO_SERVER__ = undefined;
  await server.stop();
}
