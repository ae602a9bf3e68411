export class PathOutsideRootsError extends Error {
  readonly code = 'PATH_OUTSIDE_ROOTS';

  constructor(readonly path: string) {
    super(`Path "${path}" is not inside any configured file root`);
    this.name = 'PathOutsideRootsError';
  }
}
