/**
 * Fault injection for crash tests only: ONETHING_FAULT_KILL_AT names a point (e.g.
 * `after-commit:applications.submit`, between a command's commit and its audit entry; a
 * trailing `*` matches any point with that prefix) where the process kills itself with SIGKILL,
 * as a power cut would — each time, or with probability ONETHING_FAULT_KILL_RATE (0–1).
 * Unset — always in production — every point is a no-op.
 */
const armed = process.env.ONETHING_FAULT_KILL_AT;
const rate = Number(process.env.ONETHING_FAULT_KILL_RATE ?? 1);

export function faultPoint(name: string): void {
  if (!armed) return;
  const hit = armed.endsWith('*') ? name.startsWith(armed.slice(0, -1)) : name === armed;
  if (hit && Math.random() < rate) process.kill(process.pid, 'SIGKILL');
}
