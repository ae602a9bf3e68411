#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { runCli } from './main.js';
import type { CliIo } from './output/printer.js';

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  // Asked on stderr; the answer is one line of stdin, a terminal's or a pipe's (`yes | foreman …`).
  // End of input without an answer means no.
  async confirm(question) {
    const prompt = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: process.stdin.isTTY,
    });
    try {
      const answer = await new Promise<string>((resolve) => {
        prompt.once('close', () => resolve(''));
        void prompt.question(question).then(resolve, () => resolve(''));
      });
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  },
};

process.exitCode = await runCli(process.argv.slice(2), io);
