import preset from '../jest.preset.js';

// Each file starts the api and workers as processes (and PGlite); on a busy 2-core machine that alone can take a minute.
export default { ...preset, testTimeout: 150_000 };
