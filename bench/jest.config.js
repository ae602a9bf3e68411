import preset from '../jest.preset.js';

// The short run starts a redis-server per contender and real worker processes: give it room.
export default { ...preset, testTimeout: 240_000 };
