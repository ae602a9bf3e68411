import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '@foreman/core/testing';

/** One message to put into a maildir; `raw` wins over the generated headers when given. */
export interface SeedMessage {
  from?: string;
  to?: string[];
  subject?: string;
  body?: string;
  messageId?: string;
  date?: Date;
  /** IMAP system flags (`\\Seen`, `\\Flagged`, …) the message starts with. */
  flags?: string[];
  raw?: string;
}

export interface DovecotOptions {
  /**
   * Introspection URL of an OAuth 2.0 provider: with it Dovecot accepts XOAUTH2 and OAUTHBEARER
   * logins, asking this URL (RFC 7662, POST) whether the token is active and whose it is.
   */
  oauthIntrospectionUrl?: string;
  /**
   * Advertise CONDSTORE and QRESYNC after login; false plays a server without them, so clients
   * take their path for servers that have no MODSEQ.
   * @defaultValue true
   */
  condstore?: boolean;
  /** @defaultValue 15_000 */
  startTimeoutMs?: number;
}

/** Dovecot's own capabilities after login, less CONDSTORE and QRESYNC. */
const WITHOUT_CONDSTORE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE LITERAL+';

export interface TestDovecot {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Root of every user's maildir: `<root>/<user>`. */
  readonly mailRoot: string;
  /** Adds (or changes the password of) a user who logs in with a plain password. */
  addUser(name: string, password: string): void;
  /**
   * Writes messages straight into a user's maildir folder (created when missing), which is how a
   * delivery agent hands mail over; Dovecot assigns their UIDs when a client next looks.
   */
  seed(user: string, folder: string, messages: readonly SeedMessage[]): void;
  /** Stops the server and every process it started, and removes its files. */
  stop(): Promise<void>;
}

const SYSTEM_FLAG_LETTERS: Record<string, string> = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
};

function dovecotBinary(): string {
  for (const candidate of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('Dovecot is not installed (apt-get install dovecot-imapd; scripts/lib.sh does it)');
}

/** Seeded messages without a date are a minute apart from 2026-01-01. */
const dateOf = (index: number) => new Date(Date.UTC(2026, 0, 1) + index * 60_000);

function renderMessage(message: SeedMessage, index: number): string {
  if (message.raw !== undefined) return message.raw.replace(/\r?\n/g, '\r\n');
  const headers = [
    `From: ${message.from ?? `sender${index % 50}@example.test`}`,
    `To: ${(message.to ?? ['owner@example.test']).join(', ')}`,
    `Subject: ${message.subject ?? `Message ${index}`}`,
    `Date: ${(message.date ?? dateOf(index)).toUTCString()}`,
    `Message-ID: ${message.messageId ?? `<seed-${index}-${randomBytes(4).toString('hex')}@example.test>`}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${(message.body ?? `Body of message ${index}.`).replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** Maildir++ keeps INBOX at the root and `A/B` as `.A.B`. */
function folderPath(mailRoot: string, user: string, folder: string): string {
  const base = join(mailRoot, user);
  return folder.toUpperCase() === 'INBOX' ? base : join(base, `.${folder.replaceAll('/', '.')}`);
}

function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`dovecot exited with ${child.exitCode}:\n${log()}`));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      // The master accepts before a login process is up to greet: only the greeting counts.
      socket.setTimeout(1_000);
      socket.once('data', () => {
        socket.destroy();
        resolve();
      });
      const retry = () => {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`dovecot did not greet on ${port}:\n${log()}`));
        else setTimeout(attempt, 50);
      };
      socket.once('timeout', retry);
      socket.once('error', retry);
    };
    attempt();
  });
}

/**
 * A real Dovecot IMAP server on 127.0.0.1 (a free port, no TLS) with a throwaway configuration,
 * a passwd-file of users and maildirs in a temporary directory; it runs as the current user and
 * is never a system service. CONDSTORE and QRESYNC are on (Dovecot's default).
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<TestDovecot> {
  const binary = dovecotBinary();
  const root = mkdtempSync(join(tmpdir(), 'foreman-dovecot-'));
  const mailRoot = join(root, 'mail');
  for (const dir of ['run', 'state', 'mail']) mkdirSync(join(root, dir));
  const passwdFile = join(root, 'passwd');
  const users = new Map<string, string>();
  const writeUsers = () =>
    writeFileSync(passwdFile, [...users].map(([name, password]) => `${name}:{PLAIN}${password}\n`).join(''));
  writeUsers();
  const port = await freePort();
  const me = userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  // Dovecot refuses to run its login and internal processes as root: as root, they run as the
  // users the Debian package creates, which must reach the throwaway directory.
  const asRoot = me.uid === 0;
  if (asRoot) chmodSync(root, 0o755);
  // Nor does it give root mail access: as root, mail belongs to the `dovecot` user.
  const mailOwner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'dovecot'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' })),
      }
    : { uid: me.uid, gid: me.gid };
  const own = (path: string) => {
    if (asRoot) chownSync(path, mailOwner.uid, mailOwner.gid);
  };
  own(mailRoot);
  const oauth = options.oauthIntrospectionUrl;
  if (oauth) {
    writeFileSync(
      join(root, 'oauth2.conf.ext'),
      [
        'introspection_mode = post',
        `introspection_url = ${oauth}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'),
    );
  }
  const config = [
    `base_dir = ${join(root, 'run')}`,
    `state_dir = ${join(root, 'state')}`,
    `instance_name = foreman-test-${port}`,
    `log_path = ${join(root, 'dovecot.log')}`,
    'protocols = imap',
    ...(options.condstore === false ? [`imap_capability = ${WITHOUT_CONDSTORE}`] : []),
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    // A refused login answers at once: tests log in with wrong passwords and revoked tokens.
    'auth_failure_delay = 0',
    `auth_mechanisms = plain login${oauth ? ' xoauth2 oauthbearer' : ''}`,
    `mail_location = maildir:${mailRoot}/%u`,
    `mail_uid = ${mailOwner.uid}`,
    `mail_gid = ${mailOwner.gid}`,
    'first_valid_uid = 0',
    'first_valid_gid = 0',
    `default_internal_user = ${asRoot ? 'dovecot' : me.username}`,
    `default_internal_group = ${asRoot ? 'dovecot' : group}`,
    `default_login_user = ${asRoot ? 'dovenull' : me.username}`,
    'service imap-login {',
    '  chroot =',
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }`,
    '  inet_listener imaps {\n    port = 0\n  }',
    '}',
    'service anvil {\n  chroot =\n}',
    ...(oauth ? ['passdb {', '  driver = oauth2', `  args = ${join(root, 'oauth2.conf.ext')}`, '}'] : []),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${passwdFile}`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = home=${mailRoot}/%u`,
    '}',
    'protocol imap {\n  mail_max_userip_connections = 200\n}',
    // The special-use folders a bulk delete and archive look for (RFC 6154), made on first login.
    'namespace inbox {',
    '  inbox = yes',
    '  mailbox Trash {\n    special_use = \\Trash\n    auto = create\n  }',
    '  mailbox Archive {\n    special_use = \\Archive\n    auto = create\n  }',
    '}',
    '',
  ].join('\n');
  const configFile = join(root, 'dovecot.conf');
  writeFileSync(configFile, config);
  // Its own process group, so stop() reaches the auth, login and imap processes too.
  const child = spawn(binary, ['-F', '-c', configFile], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const readLog = () => {
    try {
      return `${output}${execFileSync('tail', ['-n', '30', join(root, 'dovecot.log')], { encoding: 'utf8' })}`;
    } catch {
      return output;
    }
  };
  try {
    await waitForPort(port, child, readLog, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    killGroup('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    mailRoot,
    addUser(name, password) {
      if (!/^[a-z0-9._-]+$/i.test(name) || /[:\n]/.test(password)) {
        throw new TypeError(
          `Test user ${name}: letters, digits, ".", "_" and "-" only; no ":" in the password`,
        );
      }
      users.set(name, password);
      writeUsers();
    },
    seed(user, folder, messages) {
      const dir = folderPath(mailRoot, user, folder);
      for (const sub of ['cur', 'new', 'tmp']) {
        const created = mkdirSync(join(dir, sub), { recursive: true });
        // Every directory it made, from the first one down.
        if (created !== undefined) {
          for (let path = join(dir, sub); path.length >= created.length; path = dirname(path)) own(path);
        }
      }
      const stamp = Date.now();
      for (const [index, message] of messages.entries()) {
        const letters = (message.flags ?? [])
          .map((flag) => SYSTEM_FLAG_LETTERS[flag])
          .filter(Boolean)
          .sort()
          .join('');
        const unique = `${Math.floor(stamp / 1000)}.M${index}P${process.pid}R${randomBytes(4).toString('hex')}.foreman`;
        const file = join(dir, 'cur', `${unique}:2,${letters}`);
        writeFileSync(file, renderMessage(message, index));
        // Dovecot reads a maildir message's INTERNALDATE from its file's mtime.
        const date = message.date ?? dateOf(index);
        utimesSync(file, date, date);
        own(file);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      // Children that outlived the master (an imap process mid-command) go too.
      killGroup('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
