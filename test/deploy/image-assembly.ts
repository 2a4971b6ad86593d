// Builds the Dockerfile's image without Docker, in a scratch directory:
// each stage's files laid out as the Dockerfile copies them, the compile
// run as the build stage runs it, and npm's prune done by keeping only
// the production packages, so a test can run what the image would run.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

import { projectPath } from '../../src/paths.js';
import { copiesOf, pairs } from './dockerfile-reader.js';
import type { Dockerfile, Stage } from './dockerfile-reader.js';
import type { DockerIgnore } from './dockerignore-reader.js';

/** AssembledImage is the runtime stage's file system, on this machine. */
export interface AssembledImage {
  /** The directory standing for the image's /. */
  readonly root: string;
  /** hostPath maps an absolute path in the image to this machine. */
  hostPath(imagePath: string): string;
  /** The runtime stage's ENV, paths in values mapped with hostPath. */
  readonly env: Readonly<Record<string, string>>;
  /** The last WORKDIR, mapped. */
  readonly workdir: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/**
 * assembleImage lays out the first stage in dir/build and the last in
 * dir/image. The first stage's RUN commands that are neither the system
 * install nor npm's run for real, with its ENV, in its WORKDIR.
 */
export function assembleImage(
  dockerfile: Dockerfile,
  ignore: DockerIgnore,
  dir: string,
): AssembledImage {
  const [build] = dockerfile.stages;
  const final = dockerfile.stages.at(-1);
  if (build === undefined || final === undefined || build === final) {
    throw new Error('image: the Dockerfile needs a build and a final stage');
  }

  const buildRoot = join(dir, 'build');
  buildStage(build, ignore, buildRoot);

  const imageRoot = join(dir, 'image');
  return runtimeStage(final, buildRoot, imageRoot);
}

function inRoot(root: string, imagePath: string): string {
  if (!posix.isAbsolute(imagePath)) {
    throw new Error(`image: ${imagePath} is not an absolute path`);
  }
  return join(root, imagePath);
}

function buildStage(stage: Stage, ignore: DockerIgnore, root: string): void {
  let workdir = '/';
  const env: Record<string, string> = {};
  const copies = new Map(copiesOf(stage).map((copy) => [copy.line, copy]));

  for (const instruction of stage.instructions) {
    const here = inRoot(root, workdir);
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, instruction.text);
        mkdirSync(inRoot(root, workdir), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, Object.fromEntries(pairs(instruction.text)));
        break;
      case 'COPY': {
        const copy = copies.get(instruction.line);
        if (copy?.from !== null) {
          throw new Error(`image: line ${instruction.line}: not from context`);
        }
        for (const source of copy.sources) {
          const from = projectPath(source);
          const to = destination(workdir, copy.destination, from);
          copyTree(from, inRoot(root, to), 'copy', (path) =>
            ignore.isExcluded(relative(projectPath(), path)),
          );
        }
        break;
      }
      case 'RUN':
        buildRun(instruction.text, here, env);
        break;
      default:
        break;
    }
  }
}

// npm ci and npm prune are done by hand; any other command runs for real.
function buildRun(
  command: string,
  here: string,
  env: Readonly<Record<string, string>>,
): void {
  if (command === 'npm ci') {
    // The compile needs the development packages: this checkout's.
    symlinkSync(projectPath('node_modules'), join(here, 'node_modules'));
    return;
  }
  if (command === 'npm prune --omit=dev') {
    const modules = join(here, 'node_modules');
    unlinkSync(modules);
    linkProductionPackages(modules);
    return;
  }
  if (command.startsWith('apt-get update ')) {
    // The system's toolchain for the native modules, which this checkout
    // has built already.
    return;
  }

  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd: here,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(
      `image: RUN ${command} failed (${String(result.status)}):\n` +
        result.stdout +
        result.stderr,
    );
  }
}

function runtimeStage(
  stage: Stage,
  buildRoot: string,
  root: string,
): AssembledImage {
  const hostPath = (imagePath: string): string => inRoot(root, imagePath);
  let workdir = '/';
  const env: Record<string, string> = {};
  let entrypoint: readonly string[] = [];
  let cmd: readonly string[] = [];
  const copies = new Map(copiesOf(stage).map((copy) => [copy.line, copy]));

  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, instruction.text);
        mkdirSync(hostPath(workdir), { recursive: true });
        break;
      case 'ENV':
        for (const [name, value] of pairs(instruction.text)) {
          env[name] = value.startsWith('/') ? hostPath(value) : value;
        }
        break;
      case 'COPY': {
        const copy = copies.get(instruction.line);
        if (copy?.from !== 'build') {
          throw new Error(`image: line ${instruction.line}: not from build`);
        }
        for (const source of copy.sources) {
          const from = inRoot(buildRoot, source);
          const to = destination(workdir, copy.destination, from);
          copyTree(from, hostPath(to), 'link');
        }
        break;
      }
      case 'RUN':
        runtimeRun(instruction.text, hostPath);
        break;
      case 'ENTRYPOINT':
        entrypoint = instruction.exec ?? ['/bin/sh', '-c', instruction.text];
        break;
      case 'CMD':
        cmd = instruction.exec ?? ['/bin/sh', '-c', instruction.text];
        break;
      default:
        break;
    }
  }
  return { root, hostPath, env, workdir: hostPath(workdir), entrypoint, cmd };
}

// The runtime stage's commands are known, and done here by hand: the user
// cannot be created, but the directories and links it makes can.
function runtimeRun(
  command: string,
  hostPath: (imagePath: string) => string,
): void {
  if (command.includes('useradd')) {
    for (const match of command.matchAll(/mkdir (\/\S+)/g)) {
      mkdirSync(hostPath(match[1] ?? ''), { recursive: true, mode: 0o700 });
    }
    return;
  }
  const link = /^ln -s (\/\S+) (\/\S+)$/.exec(command);
  if (link !== null) {
    const [, target = '', path = ''] = link;
    mkdirSync(dirname(hostPath(path)), { recursive: true });
    symlinkSync(hostPath(target), hostPath(path));
    return;
  }
  throw new Error(`image: no simulation for RUN ${command}`);
}

// Where COPY puts source, as a path in the image: a directory's contents
// go into dest; a file goes into dest when dest ends with /, else is dest.
function destination(workdir: string, dest: string, source: string): string {
  const resolved = posix.resolve(workdir, dest);
  if (lstatSync(source).isDirectory() || !dest.endsWith('/')) return resolved;
  return posix.join(resolved, posix.basename(source));
}

/**
 * copyTree copies a file, symbolic link or directory tree from src to
 * dest, creating dest's parents; files are copied, or hard-linked when
 * mode is 'link' (the copies are only read). A path for which skip
 * answers true is left out.
 */
function copyTree(
  src: string,
  dest: string,
  mode: 'copy' | 'link',
  skip: (path: string) => boolean = () => false,
): void {
  if (skip(src)) return;
  const stat = lstatSync(src);
  mkdirSync(dirname(dest), { recursive: true });
  if (stat.isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dest);
  } else if (stat.isDirectory()) {
    mkdirSync(dest, { recursive: true, mode: stat.mode & 0o7777 });
    for (const name of readdirSync(src)) {
      copyTree(join(src, name), join(dest, name), mode, skip);
    }
  } else if (mode === 'link') {
    linkOrCopy(src, dest);
  } else {
    copyFileSync(src, dest);
  }
}

// A hard link is as good as a copy here and far cheaper; across file
// systems (a tmpfs /tmp) only a copy can be made.
function linkOrCopy(src: string, dest: string): void {
  try {
    linkSync(src, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(src, dest);
  }
}

/**
 * linkProductionPackages fills dir with hard links to the packages npm
 * lists as production dependencies of this checkout: what `npm prune
 * --omit=dev` leaves of a full install. Each package is linked without
 * its own node_modules, whose packages npm lists separately.
 */
function linkProductionPackages(dir: string): void {
  const listed = spawnSync(
    'npm',
    ['ls', '--omit=dev', '--all', '--parseable'],
    { cwd: projectPath(), encoding: 'utf8' },
  );
  if (listed.status !== 0) {
    throw new Error(`image: npm ls failed:\n${listed.stderr}`);
  }
  const modules = projectPath('node_modules');
  const packages = new Set(
    listed.stdout
      .split('\n')
      .filter((line) => line.startsWith(`${modules}/`))
      .map((line) => relative(modules, line)),
  );

  mkdirSync(dir, { recursive: true });
  for (const name of packages) {
    copyTree(
      join(modules, name),
      join(dir, name),
      'link',
      (path) => path === join(modules, name, 'node_modules'),
    );
  }
}
