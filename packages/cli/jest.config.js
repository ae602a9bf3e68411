import preset from '../../jest.preset.js';

// Each test runs the real cli as processes (about a second each on a busy machine).
export default { ...preset, testTimeout: 120_000 };
