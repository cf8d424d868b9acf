/** The one interface every element behaviour implements. */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import type { Token } from '../state.js';

export interface Behaviour {
  /** A token arrives at the node. */
  enter(exec: Execution, token: Token, node: PlanNode): void;
}
