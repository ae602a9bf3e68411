import { startBeat } from './beat.js';

const beat = await startBeat();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void beat.stop().then(
      () => process.exit(0),
      (error) => {
        beat.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
