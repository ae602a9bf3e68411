/** A step of building or starting an app's production tree failed; `step` says which. */
export class ImageCheckError extends Error {
  readonly code = 'IMAGE_CHECK_FAILED';
  constructor(
    readonly app: string,
    readonly step: string,
    detail: string,
  ) {
    super(`${app}: ${step} failed\n${detail}`);
    this.name = 'ImageCheckError';
  }
}
