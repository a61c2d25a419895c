import { QUIRKS, type Quirk } from './quirks.js';

export function quirksAsJson(quirks: readonly Quirk[] = QUIRKS): string {
  return `${JSON.stringify(quirks, null, 2)}\n`;
}

/** The catalogue for humans: id, the rule, then who needed it and where it is documented. */
export function formatQuirks(quirks: readonly Quirk[] = QUIRKS): string {
  const width = Math.max(...quirks.map((quirk) => quirk.id.length));
  const indent = ' '.repeat(width + 2);
  const blocks = quirks.map((quirk) =>
    [
      `${quirk.id.padEnd(width)}  ${quirk.rule}`,
      `${indent}clients: ${quirk.clients}`,
      `${indent}source:  ${quirk.source}`,
    ].join('\n'),
  );
  return `${quirks.length} client quirks, each patched and tested in every generated server:\n\n${blocks.join('\n\n')}\n`;
}

function markdownCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The catalogue as a Markdown table, as embedded in README.md. */
export function quirksAsMarkdown(quirks: readonly Quirk[] = QUIRKS): string {
  const rows = quirks.map(
    (quirk) =>
      `| \`${quirk.id}\` | ${markdownCell(quirk.rule)} | ${markdownCell(quirk.clients)} | ${markdownCell(quirk.source)} |`,
  );
  return ['| id | rule | clients | source |', '|---|---|---|---|', ...rows, ''].join('\n');
}
