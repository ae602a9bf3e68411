import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGES = ['python3-celery', 'python3-redis'];

async function celeryVersion(python: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(python, ['-c', 'import celery, redis; print(celery.__version__)']);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * The Celery contender needs Debian's python3-celery and python3-redis; installs them with
 * apt-get when they are missing (as root, or through passwordless sudo). Returns Celery's version.
 */
export async function ensureCelery(python: string): Promise<string> {
  const found = await celeryVersion(python);
  if (found) return found;
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    asRoot
      ? run('apt-get', args, { env: aptEnv() })
      : run('sudo', ['-n', 'apt-get', ...args], { env: aptEnv() });
  try {
    await apt(['update', '-qq']);
    await apt(['install', '-y', '-qq', ...PACKAGES]);
  } catch (error) {
    throw new Error(
      `Celery is missing for ${python} and installing ${PACKAGES.join(' ')} with apt-get failed: ${(error as Error).message}`,
    );
  }
  const installed = await celeryVersion(python);
  if (!installed) throw new Error(`${PACKAGES.join(' ')} installed, but ${python} cannot import celery`);
  return installed;
}

function aptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
}
