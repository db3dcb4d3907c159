#!/usr/bin/env node
// `npm run sea`: rootlock as one file, a Node single executable application
// (linux-x64): the node binary running this, with the CLI bundle injected by
// postject and compiled ahead into V8's code cache. @kubernetes/client-node is
// a second asset inside it, compiled only by the commands that reach a cluster,
// so the others start without it. docs/install.md says how to use it in CI.
//
//   npm run sea -- [--out dist/sea/rootlock]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.js';

const root = new URL('..', import.meta.url).pathname;
const { values: flags } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist', 'sea', 'rootlock') } } });
const out = resolve(flags.out);
const CLIENT_ASSET = 'kubernetes-client-node.cjs';
const require = createRequire(import.meta.url);

/** Runs a build step, showing its chatter (postject warns about every ELF note it passes) only when it fails. */
function quietly(command, args, cwd) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    throw error;
  }
}

/** The single executable of the compiled tree in dist/ (run `npm run build` first); returns its path. */
export async function buildSingleExecutable(target = out) {
  const entry = join(root, 'dist', 'src', 'cli', 'single-executable.js');
  statSync(entry); // npm run build makes it
  // A folder of its own, so two builds at once (the image's and the tests') do not share one.
  mkdirSync(join(root, 'dist', 'sea'), { recursive: true });
  const work = mkdtempSync(join(root, 'dist', 'sea', 'build-'));
  try {
    return await buildIn(work, entry, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function buildIn(work, entry, target) {
  const main = join(work, 'rootlock.cjs');
  await bundleCli({ entry, outfile: main, external: '@kubernetes/client-node', banner: CLIENT_LOADER });
  await build({
    entryPoints: [require.resolve('@kubernetes/client-node')],
    outfile: join(work, CLIENT_ASSET),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning',
  });
  const config = join(work, 'sea-config.json');
  const blob = join(work, 'rootlock.blob');
  writeFileSync(config, JSON.stringify({
    main: 'rootlock.cjs', output: 'rootlock.blob', disableExperimentalSEAWarning: true, useCodeCache: true, assets: { [CLIENT_ASSET]: CLIENT_ASSET },
  }));
  // V8's code cache holds values seeded at random; a fixed seed makes the same inputs give the same executable, byte
  // for byte (the image's digest depends on it). The executable still accepts the cache: the seed is not among the
  // flags V8 checks it against.
  // Paths relative to the build folder, whose name is new each time, for the same reason.
  quietly(process.execPath, ['--random-seed=1', '--experimental-sea-config', config], work);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  copyFileSync(process.execPath, partial);
  chmodSync(partial, 0o755);
  quietly(process.execPath, [require.resolve('postject/dist/cli.js'), partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2']);
  renameSync(partial, target);
  return target;
}

// Defined at the top of the executable's bundle: the function the bundle imports @kubernetes/client-node with
// (scripts/bundle-cli.js). The executable has no files to import, so it compiles the asset, once.
const CLIENT_LOADER = `var __rootlockClient;
// Its optional dependencies (bufferutil, supports-color, ...) are not inside: they are missing, as they may be.
function __rootlockBuiltinOnly(id) {
  if (require("node:module").isBuiltin(id)) return require(id);
  throw Object.assign(new Error("Cannot find module '" + id + "'"), { code: "MODULE_NOT_FOUND" });
}
function __rootlockImport(specifier) {
  if (specifier !== "@kubernetes/client-node") return Promise.reject(new Error("no module " + specifier + " in this executable"));
  if (!__rootlockClient) {
    const module = { exports: {} };
    const source = require("node:sea").getAsset(${JSON.stringify(CLIENT_ASSET)}, "utf8");
    new (require("node:vm").Script)("(function (exports, require, module) {" + source + "\\n})", { filename: ${JSON.stringify(CLIENT_ASSET)} })
      .runInThisContext()(module.exports, __rootlockBuiltinOnly, module);
    __rootlockClient = module.exports;
  }
  return Promise.resolve(__rootlockClient);
}`;

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const built = await buildSingleExecutable();
  process.stdout.write(`${built} (${(statSync(built).size / 2 ** 20).toFixed(1)} MiB)\n`);
}
