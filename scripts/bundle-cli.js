#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports,
// dependencies included) into one CommonJS file, dist/cli.cjs, which
// bin/rootlock.js loads. Node starts a CommonJS program sooner than an ES module
// graph of a hundred files; each command's code still runs only when that
// command does. @kubernetes/client-node stays outside: only cluster commands
// import it, at run time. Part of `npm run build`; BENCHMARKS.md has the figures.
// scripts/build-sea.js bundles the single executable's entry the same way.
import { build } from 'esbuild';
import { dirname, join, relative } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

/**
 * Bundles `entry` (a compiled module under dist/src) into the CommonJS file `outfile`. `external`: the one module
 * left outside, imported at run time; `banner`: code to put first (the single executable's loader of the external
 * module). package.json's version is inlined: the bundle is built with it, and reading it costs every start.
 */
export async function bundleCli({ entry, outfile, external, banner }) {
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  // A module that finds files beside itself (package.json, the probe runner) or requires through createRequire does
  // so from import.meta.url, which a CommonJS bundle lacks: give each module the URL of its own file, relative to
  // wherever the bundle is.
  const ownUrl = {
    name: 'own-import-meta-url',
    setup(plugin) {
      plugin.onLoad({ filter: /\.m?js$/ }, async (args) => {
        if (args.path.endsWith(join('dist', 'src', 'cli', 'version.js'))) {
          return { contents: `export function packageVersion() { return ${JSON.stringify(version)}; }\n`, loader: 'js' };
        }
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromBundle = relative(dirname(outfile), args.path).split('\\').join('/');
        const url = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(fromBundle)})).href`;
        return { contents: source.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
  // Node compiles a built-in module the first time it is required, and child_process alone brings net and dgram:
  // a few milliseconds of every start, for modules most commands never call. Each built-in Node has not loaded
  // already is required on first use instead, through a proxy (esbuild's CommonJS output reads an import's members
  // at the call, so the proxy sees the first real use).
  const lazyBuiltins = {
    name: 'lazy-builtins',
    setup(plugin) {
      const LAZY = /^(node:)?(child_process|fs\/promises|os|crypto|http|https|zlib|tls|net|stream\/promises|timers\/promises|string_decoder|readline|worker_threads|dns|tty)$/;
      plugin.onResolve({ filter: LAZY }, (args) => (args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
      plugin.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
        // An ES module's import of it goes through esbuild's __toESM, which lists and copies the members: answer
        // with the names this Node's module has (the Node that builds is the one that runs) and getters, so that
        // listing loads nothing either.
        const names = Object.getOwnPropertyNames(await import(`node:${args.path}`)).filter((name) => name !== 'default');
        return {
          contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));
const names = ${JSON.stringify(names)};
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => names.includes(key) || key in load(),
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined),
});
`,
          loader: 'js',
        };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: external ? [external] : [],
    plugins: [ownUrl, lazyBuiltins],
    // The compiled files' own source maps are followed, so a stack trace names the TypeScript file and line.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
    // Less to read and hash at every start; identifiers keep their names, so stack traces and error names read well.
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII only, so the launcher reads it as latin1, which Node decodes faster than UTF-8.
    charset: 'ascii',
    ...(banner ? { banner: { js: banner } } : {}),
    write: false,
  });
  // esbuild's warnings (import.meta left empty, a require it cannot follow) are bugs in the bundle: fail on them.
  if (result.warnings.length) throw new Error(`bundle: ${result.warnings.length} warning(s) for ${outfile}, see above`);
  // The launcher compiles the bundle with vm.Script and a code cache, and an import() in such a script fails in
  // Node 20 once the cache is used (a single executable has no import() at all). So the module left outside is
  // imported by the launcher's function, given to the bundle as __rootlockImport (a plain require of the bundle
  // falls back to import()), and no other import() may be left.
  const externalImport = external ? `import(${JSON.stringify(external)})` : undefined;
  for (const file of result.outputFiles) {
    let text = file.text;
    if (file.path === outfile) {
      if (externalImport && text.split(externalImport).length !== 2) throw new Error(`bundle: expected one ${externalImport} in ${outfile}`);
      const stray = /[^\w$.]import\(/.exec(externalImport ? text.replace(externalImport, '') : text);
      if (stray) throw new Error(`bundle: a dynamic import() is left in ${outfile} at offset ${stray.index}: import the module statically`);
      if (externalImport) {
        text = text.replace(externalImport, `(typeof __rootlockImport === "function" ? __rootlockImport : (specifier) => import(specifier))(${JSON.stringify(external)})`);
      }
    }
    if (!/^[\x00-\x7f]*$/.test(text)) throw new Error(`bundle: ${file.path} is not ASCII`);
    await writeFile(file.path, text);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleCli({ entry: join(root, 'dist', 'src', 'cli', 'main.js'), outfile: join(root, 'dist', 'cli.cjs'), external: '@kubernetes/client-node' });
}
