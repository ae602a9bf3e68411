export { PathOutsideRootsError } from './path-outside-roots-error.js';
export { type RemovedFiles, type RemoveOldFilesOptions, removeOldFiles } from './remove-old-files.js';
export { isWithin, resolveInsideRoots } from './resolve-inside-roots.js';
