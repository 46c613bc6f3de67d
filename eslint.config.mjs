import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layer map of docs/architecture.md, lowest first. A file may import its
// own layer and the layers below it; `no-restricted-imports` reports any
// other import with the rule it breaks. Paths end in `/` for a folder.
const LAYERS = [
  {
    name: 'kernel',
    parts: [
      'app/context/',
      'app/errors.ts',
      'app/config.ts',
      'app/config-error.ts',
      'app/build-layout.ts',
      'app/logger.ts',
      'app/log-safe.ts',
      'app/operator-error.ts',
      'app/cursor-secret.ts',
    ],
  },
  { name: 'registry', parts: ['app/registry/'] },
  { name: 'db', parts: ['app/db/'] },
  { name: 'models', parts: ['models/'] },
  {
    name: 'domain',
    parts: ['app/audit/', 'app/history/', 'app/auth/', 'app/services/', 'app/ops/', 'app/health/'],
  },
  {
    name: 'entry points',
    parts: [
      'app/http/',
      'app/metrics/',
      'app/cli/',
      'app/app.ts',
      'app/server.ts',
      'app/shutdown.ts',
      'app/runtime/',
      'seeders/',
      'scripts/',
      'bench/',
      'app/dev/',
    ],
  },
];

// Leaves: run by a runner or a test, imported by no code.
const MIGRATIONS = 'migrations/';
const LEAVES = [MIGRATIONS, 'seeders/', 'test/'];

// What a migration may import: the kernel, the registry, app/db (the
// migration library) and the table declarations and steps of app/audit and
// app/history. Never models, services, http: a released migration must do
// the same thing whatever the app becomes.
const MIGRATION_MAY_IMPORT = ['kernel', 'registry', 'db', 'app/audit/', 'app/history/'];

// app/audit and app/history are what migrations run: they stay below the
// models and the rest of the domain.
const MIGRATION_DOMAIN = ['app/audit/', 'app/history/'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bare = (part) => part.replace(/\/$/, '');
const glob = (part) => (part.endsWith('/') ? `${part}**` : part);
const partsOf = (entry) => LAYERS.find((layer) => layer.name === entry)?.parts ?? [entry];
const layerName = (part) => LAYERS.find((layer) => layer.parts.includes(part))?.name;
const named = (part) =>
  layerName(part) && layerName(part) !== bare(part) ? `${part} (${layerName(part)})` : part;

/**
 * A regex matching the relative specifiers that reach `part` from a file of
 * the tree: `../../models`, `../app/db/x`, `../db/x`, `./db/x` from app/
 * itself. Every folder and file name of the map is unique in the tree.
 */
function specifierPattern(part) {
  const inApp = part.startsWith('app/');
  const path = escape(bare(inApp ? part.slice(4) : part).replace(/\.ts$/, ''));
  const end = part.endsWith('/') ? '(/|$)' : '$';
  return inApp ? `^(\\./|(\\.\\./)+)(app/)?${path}${end}` : `^(\\.\\./)+${path}${end}`;
}

/** One restriction: `part` may not be imported, and the rule that says so. */
function forbid(part, rule) {
  return {
    part,
    regex: specifierPattern(part),
    message: `Layer map: ${rule} See docs/architecture.md.`,
  };
}

const leaves = (except = []) =>
  LEAVES.filter((part) => !except.includes(part)).map((part) =>
    forbid(part, `nothing imports ${bare(part)}/: it is a leaf that a runner or mocha loads.`),
  );

/** What a file of layer `index` may not import: the layers above it and the leaves. */
function layerRestrictions(index) {
  const allowed = LAYERS.slice(0, index + 1).map((layer) => layer.name);
  return [
    ...LAYERS.slice(index + 1)
      .flatMap((layer) => layer.parts)
      .map((part) =>
        forbid(
          part,
          `${LAYERS[index].name} may import only ${allowed.join(', ')}; ${named(part)} is above it.`,
        ),
      ),
    ...leaves(),
  ];
}

const allParts = LAYERS.flatMap((layer) => layer.parts);
const DOMAIN = LAYERS.findIndex((layer) => layer.name === 'domain');

const migrationDomainRestrictions = [
  ...layerRestrictions(DOMAIN),
  ...[...partsOf('models'), ...partsOf('domain')]
    .filter((part) => !MIGRATION_DOMAIN.includes(part))
    .map((part) =>
      forbid(
        part,
        `app/audit and app/history are run by migrations: they import only the kernel, the registry, app/db and each other; not ${named(part)}.`,
      ),
    ),
];

const migrationAllowed = MIGRATION_MAY_IMPORT.flatMap(partsOf);
const migrationRestrictions = [
  ...allParts
    .filter((part) => !migrationAllowed.includes(part))
    .map((part) =>
      forbid(
        part,
        `a migration may import only the kernel, the registry, app/db (the migration library), app/audit and app/history; not ${named(part)}.`,
      ),
    ),
  ...leaves([MIGRATIONS]),
];

/** Every group of files, with what it may not import; a later group wins for a file in two. */
const GROUPS = [
  ...LAYERS.map((layer, index) => ({
    name: layer.name,
    files: layer.parts.map(glob),
    restrictions: layerRestrictions(index),
  })),
  {
    name: 'migration domain',
    files: MIGRATION_DOMAIN.map(glob),
    restrictions: migrationDomainRestrictions,
  },
  { name: 'migrations', files: [glob(MIGRATIONS)], restrictions: migrationRestrictions },
];

const layerConfigs = GROUPS.map((group) => ({
  name: `layers/${group.name}`,
  files: group.files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: group.restrictions.map(({ regex, message }) => ({ regex, message })) },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '.sequelizerc'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  ...layerConfigs,
  // Benchmarks never import the tests: what both need (the data generator,
  // the drill, PgBouncer) lives in app/dev/. The typescript-eslint form of
  // no-restricted-imports, so that a layer rule on bench/ does not replace it.
  {
    files: ['bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)test(/|$)',
              message: 'bench/ must not import test/: move what both need to app/dev/.',
            },
          ],
        },
      ],
    },
  },
);
