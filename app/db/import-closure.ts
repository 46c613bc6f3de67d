import fs from 'node:fs';
import path from 'node:path';
// typescript is a devDependency: this runs when migrations are released and
// in tests, never in the server.
import ts from 'typescript';

/** The project's root folder (where package.json is). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** `file` as a path from `root` with `/` separators, as the release record names files. */
export function projectPath(file: string, root = PROJECT_ROOT): string {
  return path.relative(root, file).split(path.sep).join('/');
}

// The project's own resolution (tsconfig.json: nodenext, JSON modules), plus
// JavaScript, so a .js helper is followed as well as a .ts one.
const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  resolveJsonModule: true,
  allowJs: true,
};

export interface ClosureOptions {
  /** Files outside this folder, or under a node_modules folder, are not project files. */
  root?: string;
  /** Project files never followed nor listed (the release record itself). */
  exclude?: string[];
}

/**
 * `entry` and every project file it imports, transitively, as sorted absolute paths.
 *
 * Imports are read by the TypeScript compiler's own scanner
 * (`ts.preProcessFile`): `import` and `export ... from` declarations,
 * `import()` and `require()` with a literal name. Each is resolved the way
 * the compiler resolves it, so `./x` finds `x.ts`, `x/index.ts` or `x.json`.
 * Type-only imports (`import type`) count too: they are erased at run time,
 * but the scanner does not tell them apart, and a released migration must stay
 * the exact code it was checked against, types included. Packages
 * (node_modules) are not project files; their versions are pinned by the lock
 * file. A `require()` of a computed name is invisible here; migrations and
 * their helpers use none.
 */
export function importClosure(entry: string, options: ClosureOptions = {}): string[] {
  const root = path.resolve(options.root ?? PROJECT_ROOT);
  const excluded = new Set((options.exclude ?? []).map((f) => path.resolve(f)));
  const seen = new Set<string>();
  const pending = [path.resolve(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of importsOf(file)) {
      const target = resolveImport(imported, file);
      if (target && isProjectFile(target, root) && !excluded.has(target)) pending.push(target);
    }
  }
  return [...seen].sort();
}

/** The module names a file imports, as written. */
function importsOf(file: string): string[] {
  if (file.endsWith('.json')) return [];
  const text = fs.readFileSync(file, 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
}

/**
 * The file `name` resolves to from `containing`; undefined for a package that
 * is not installed. A relative name that resolves to nothing is an error: a
 * file the guard cannot see would be a behaviour it cannot check.
 */
function resolveImport(name: string, containing: string): string | undefined {
  const { resolvedModule } = ts.resolveModuleName(name, containing, COMPILER_OPTIONS, ts.sys);
  if (resolvedModule && !resolvedModule.isExternalLibraryImport) {
    return path.resolve(resolvedModule.resolvedFileName);
  }
  if (!resolvedModule && (name.startsWith('.') || path.isAbsolute(name))) {
    throw new Error(`${containing} imports "${name}", which resolves to no file`);
  }
  return undefined;
}

function isProjectFile(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return (
    !relative.startsWith('..') &&
    !path.isAbsolute(relative) &&
    !relative.split(path.sep).includes('node_modules')
  );
}
