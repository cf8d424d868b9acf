/**
 * Compiled plans by process id and version. Looked up on every command: two map lookups on
 * strings and numbers the record already holds, where a `<process>@<version>` key would be a
 * fresh string to build and hash each time.
 */
import type { Plan } from './plan.js';

export class PlanCache {
  private readonly byProcess = new Map<string, Map<number, Plan>>();

  get(processId: string, version: number): Plan | undefined {
    return this.byProcess.get(processId)?.get(version);
  }

  set(plan: Plan): void {
    let versions = this.byProcess.get(plan.processId);
    if (!versions) this.byProcess.set(plan.processId, (versions = new Map()));
    versions.set(plan.version, plan);
  }
}
