// Outside workerd there is no Workers runtime: base classes of the same shape, so
// that the package imports in Node (the CLI). An EdgefuseRateLimiter cannot run there.
export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkerEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
