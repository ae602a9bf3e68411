/**
 * The flags our apps' image starts Node with (the CMD of infra/docker/Dockerfile), so that our
 * worker is measured as deployed; a test keeps the two the same. Raw BullMQ runs with Node's own.
 */
export const DEPLOYED_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=50'];
