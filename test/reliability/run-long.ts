// `npm run test:reliability`: runs the long reliability parts one after
// another and writes what they found to docs/RELIABILITY.md.
import { readFileSync, writeFileSync } from 'node:fs';

import { projectPath } from '../../src/paths.js';
import { machineLine } from './long-part.js';
import type { PartReport } from './long-part.js';
import { LONG_PARTS } from './long-parts.js';

// The generated figures go between these markers; the text around them
// is written by hand and kept.
const BEGIN = '<!-- BEGIN long-run figures (npm run test:reliability) -->';
const END = '<!-- END long-run figures -->';

async function main(): Promise<void> {
  // Step 1: which parts, by id on the command line, else all.
  const wanted = process.argv.slice(2);
  const parts = LONG_PARTS.filter(
    (part) => wanted.length === 0 || wanted.includes(part.id),
  );
  if (parts.length === 0) {
    throw new Error(
      `no such part: ${wanted.join(' ')} ` +
        `(parts: ${LONG_PARTS.map((part) => part.id).join(', ')})`,
    );
  }

  // Step 2: each part in turn, so none skews another's figures. A part
  // that throws is a failed part, and the others still run.
  const sections: string[] = [];
  let failed = 0;
  for (const part of parts) {
    console.log(`# ${part.title}`);
    const started = Date.now();
    let report: PartReport;
    try {
      report = await part.run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      report = { ok: false, markdown: `Failed: ${message}`, figures: {} };
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (!report.ok) failed += 1;
    console.log(report.markdown);
    console.log(
      JSON.stringify({
        part: part.id,
        ok: report.ok,
        seconds,
        ...report.figures,
      }),
    );
    sections.push(
      `### ${part.title}\n\n${report.ok ? 'Held' : '**Not held**'} ` +
        `(${String(seconds)} s).\n\n${report.markdown.trim()}\n`,
    );
  }

  // Step 3: the figures into docs/RELIABILITY.md, between the markers.
  // Only a run of every part (no ids given) rewrites the file, so a
  // partial run never leaves the published figures half old, half new.
  if (wanted.length === 0) {
    const path = projectPath('docs', 'RELIABILITY.md');
    const text = readFileSync(path, 'utf8');
    const begin = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (begin < 0 || end < begin) throw new Error(`${path}: markers missing`);
    const generated =
      `${BEGIN}\n\nLatest run: ${machineLine()}.\n\n` +
      `${sections.join('\n')}\n${END}`;
    writeFileSync(
      path,
      text.slice(0, begin) + generated + text.slice(end + END.length),
    );
    console.log(`wrote ${path}`);
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
