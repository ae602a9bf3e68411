#!/usr/bin/env node
// Checks every relative link and anchor in the repo's markdown (no network): a link to a file that
// does not exist, or to a heading that is not there, fails. Run by scripts/test before turbo.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && existsSync(join(root, file)));

/** Markdown text without fenced blocks and inline code, where links are not links. */
function prose(text) {
  const lines = [];
  let fence = null;
  for (const line of text.split('\n')) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker && (fence === null || fence === marker)) {
      fence = fence === null ? marker : null;
      lines.push('');
      continue;
    }
    lines.push(fence === null ? line.replace(/`[^`\n]*`/g, '') : '');
  }
  return lines;
}

/** GitHub's anchors of a file's headings (lower case, punctuation dropped, repeats numbered). */
const anchorCache = new Map();
function anchors(file) {
  if (!anchorCache.has(file)) {
    const seen = new Map();
    const found = new Set();
    let fence = null;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const marker = /^\s*(```|~~~)/.exec(line)?.[1];
      if (marker && (fence === null || fence === marker)) fence = fence === null ? marker : null;
      const heading = fence === null && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (!heading) continue;
      const base = heading[1]
        .replace(/<[^>]+>/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    anchorCache.set(file, found);
  }
  return anchorCache.get(file);
}

const problems = [];
for (const file of files) {
  const path = join(root, file);
  prose(readFileSync(path, 'utf8')).forEach((line, index) => {
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [pathPart, anchor] = target.split('#', 2);
      const resolved = pathPart ? resolve(dirname(path), decodeURIComponent(pathPart)) : path;
      const where = `${file}:${index + 1}`;
      if (!existsSync(resolved)) {
        problems.push(`${where}: ${target}: no such file ${relative(root, resolved)}`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
        problems.push(`${where}: ${target}: an anchor into something that is not markdown`);
      } else if (!anchors(resolved).has(decodeURIComponent(anchor).toLowerCase())) {
        problems.push(`${where}: ${target}: no heading "#${anchor}" in ${relative(root, resolved)}`);
      }
    }
  });
}

if (problems.length > 0) {
  console.error(`Broken markdown links (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`markdown links: ${files.length} files checked, all links resolve`);
