/** Raised inside a step to park the current token in an incident instead of crashing the engine. */
export class IncidentSignal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}
