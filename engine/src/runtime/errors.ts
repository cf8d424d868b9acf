/** A command that does not fit the instance (unknown task, finished instance, bad input): nothing changes. */
export class CommandError extends Error {
  constructor(
    readonly code: 'notFound' | 'instanceEnded' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
