import { ImageCheckError } from './image-check-error.js';
import { runCommand } from './run-command.js';

describe('runCommand', () => {
  it('resolves with the output of a command that exits 0', async () => {
    await expect(
      runCommand('api', 'echo', ['node', '-e', 'process.stdout.write("built")'], '.'),
    ).resolves.toBe('built');
  });

  it('rejects with the step and output of a command that fails', async () => {
    const failing = runCommand(
      'api',
      'build',
      ['node', '-e', 'console.error("tsc: error"); process.exit(2)'],
      '.',
    );
    await expect(failing).rejects.toBeInstanceOf(ImageCheckError);
    await expect(failing).rejects.toThrow(/api.*build[\s\S]*tsc: error/);
  });

  it('rejects a command stopped at the timeout even when it traps SIGTERM and exits 0', async () => {
    const trapsTerm = 'process.on("SIGTERM", () => process.exit(0)); setTimeout(() => {}, 30_000)';
    await expect(runCommand('api', 'build', ['node', '-e', trapsTerm], '.', 300)).rejects.toThrow(
      /stopped after 300 ms/,
    );
  });
});
