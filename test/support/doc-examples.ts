// The shell examples of README.md and docs/*.md, and a runner that executes
// them in order the way a reader would paste them. A fence's language says
// whether it is checked: ```bash is run, ```sh is shown only (commands that
// never end, need a real PgBouncer or production, or run the whole suite).
// Any other shell-like language is refused, so no example escapes by accident.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './run-command';

/** One fenced example. */
export interface DocExample {
  /** Path relative to the project root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: 'bash' | 'sh';
  code: string;
}

/** Fence languages that look like shell but are neither `bash` (run) nor `sh` (shown). */
const REFUSED = new Set(['shell', 'console', 'zsh', 'shell-session', 'terminal']);

/** The documents whose examples are checked, README first, then docs/ by name. */
export function documentedFiles(root = PROJECT_ROOT): string[] {
  const docs = path.join(root, 'docs');
  const names = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => path.join('docs', name))
    : [];
  return ['README.md', ...names];
}

/** The ```bash and ```sh blocks of one Markdown file, in order. */
export function extractExamples(file: string, text: string): DocExample[] {
  const examples: DocExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, language] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence!)) {
      body.push(lines[j]!.slice(indent!.length));
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    if (REFUSED.has(language!)) {
      throw new Error(
        `${file}:${i + 1}: a \`\`\`${language} block; write \`\`\`bash (run by the docs check) ` +
          'or ```sh (shown, not run), see docs/testing.md',
      );
    }
    if (language === 'bash' || language === 'sh') {
      examples.push({ file, line: i + 1, language, code: body.join('\n') });
    }
    i = j;
  }
  return examples;
}

/** The outcome of one block. */
export interface ExampleResult {
  example: DocExample;
  code: number | null;
  output: string;
  ms: number;
}

/**
 * Runs the ```bash blocks of one file in order, in the project folder, each
 * in a fresh `bash -e -o pipefail` that first loads the variables the earlier
 * blocks of the same file set (as one terminal would keep them). Stops at the
 * first failing block and returns every result up to it.
 */
export async function runExamples(
  examples: DocExample[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ExampleResult[]> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-doc-examples-'));
  const state = path.join(stateDir, 'state.sh');
  fs.writeFileSync(state, '');
  const results: ExampleResult[] = [];
  try {
    for (const example of examples.filter((e) => e.language === 'bash')) {
      const script = [
        'set -e -o pipefail',
        `. ${JSON.stringify(state)}`,
        // Every assignment is exported, so the next block sees it.
        'set -a',
        example.code,
        `export -p | grep -vE '^declare -x (PWD|OLDPWD|SHLVL|_)=' > ${JSON.stringify(state)}`,
      ].join('\n');
      const started = Date.now();
      const { code, output } = await runBash(script, env, timeoutMs);
      const result = { example, code, output, ms: Date.now() - started };
      results.push(result);
      if (code !== 0) break;
    }
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return results;
}

function runBash(
  script: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      // The whole group: a block's npm and tsx children must not outlive it.
      process.kill(-child.pid!, 'SIGKILL');
      output += `\n(killed after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** How a failed block is reported: file, line, the block and what it printed. */
export function describeFailure(result: ExampleResult): string {
  const { example, code, output } = result;
  const tail = output.split('\n').slice(-40).join('\n');
  return (
    `${example.file}:${example.line}: this example exited ${code}:\n` +
    `${example.code}\n--- its output (last 40 lines) ---\n${tail}`
  );
}
