/**
 * Generates src/protocol.generated.ts, the TypeScript types of every message,
 * from ../docs/protocol.schema.json (json-schema-to-typescript).
 *
 *   node scripts/protocol-types.js          write the file
 *   node scripts/protocol-types.js --check  exit 1 if the file differs
 *
 * Interfaces get the template's `I` prefix; the generator's "referenced by"
 * notes and its empty root interface are left out.
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { compile } = require('json-schema-to-typescript');

const ROOT = resolve(__dirname, '..');
const SCHEMA = resolve(ROOT, '..', 'docs', 'protocol.schema.json');
const OUTPUT = resolve(ROOT, 'src', 'protocol.generated.ts');
const BANNER = `/**
 * The shapes of the panel <-> kernel messages, generated from
 * docs/protocol.schema.json by scripts/protocol-types.js: do not edit.
 * Regenerate with \`jlpm build:protocol\`; the unit tests fail while this file
 * differs from what the schema generates.
 */`;

/** The name of a definition: `IRow` for objects, `Scope` for the rest. */
function customName(schema, key) {
  const name = key ?? schema.$id;
  if (!name) {
    return undefined;
  }
  return schema.type === 'object' ? `I${name}` : name;
}

/** The generated module's text. */
async function generate() {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf-8'));
  const { description, ...rest } = schema;
  const text = await compile({ ...rest, title: 'Root' }, 'Root', {
    additionalProperties: false,
    bannerComment: BANNER,
    customName,
    ignoreMinAndMaxItems: true,
    unreachableDefinitions: true,
    style: { singleQuote: true, trailingComma: 'none', arrowParens: 'avoid' }
  });
  return text
    .replace(
      /\n \*\n \* This interface was referenced by `Root`'s JSON-Schema\n \* via the `definition` "\w+"\./g,
      ''
    )
    .replace(
      /\/\*\*\n \* This interface was referenced by `Root`'s JSON-Schema\n \* via the `definition` "\w+"\.\n \*\/\n/g,
      ''
    )
    .replace(
      /\nexport interface Root \{\n  \[k: string\]: unknown;\n\}\n/,
      '\n'
    );
}

async function main() {
  const text = await generate();
  if (process.argv.includes('--check')) {
    if (readFileSync(OUTPUT, 'utf-8') !== text) {
      console.error(
        `${OUTPUT} differs from what the schema generates: run jlpm build:protocol`
      );
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT, text);
}

module.exports = { generate, OUTPUT };

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
