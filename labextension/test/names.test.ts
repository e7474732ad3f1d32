/** names.ts: a module name cut into its package path and last component, and at the filter's match. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findMatch, INamePart, nameParts } from '../src/names';

/** The parts as "kind:text", a match in brackets. */
const show = (parts: INamePart[]): string[] =>
  parts.map(p => `${p.kind}:${p.match ? `[${p.text}]` : p.text}`);

describe('nameParts', () => {
  it('splits the package path (with its dot) from the last component', () => {
    assert.deepEqual(show(nameParts('shapes.geometry.units', '')), [
      'path:shapes.geometry.',
      'leaf:units'
    ]);
    assert.deepEqual(show(nameParts('json', '')), ['leaf:json']);
  });

  it('cuts at the match, in the path, in the leaf or across the dot', () => {
    assert.deepEqual(
      show(nameParts('_pydevd_bundle.pydevd_json_debug_options', 'JSON')),
      [
        'path:_pydevd_bundle.',
        'leaf:pydevd_',
        'leaf:[json]',
        'leaf:_debug_options'
      ]
    );
    assert.deepEqual(show(nameParts('shapes.geometry.units', 'geo')), [
      'path:shapes.',
      'path:[geo]',
      'path:metry.',
      'leaf:units'
    ]);
    assert.deepEqual(show(nameParts('shapes.geometry.units', 'try.un')), [
      'path:shapes.geome',
      'path:[try.]',
      'leaf:[un]',
      'leaf:its'
    ]);
  });

  it('gives the name back, and ignores a filter that matches only the path on disk', () => {
    for (const [name, filter] of [
      ['a.b.c', 'b'],
      ['a.b.c', '  C '],
      ['pkg', 'nope']
    ]) {
      assert.equal(
        nameParts(name, filter)
          .map(p => p.text)
          .join(''),
        name
      );
    }
    assert.equal(
      nameParts('pkg.user', 'pkg/user.py').some(p => p.match),
      false
    );
  });
});

describe('findMatch', () => {
  it('finds the first case-insensitive match of the trimmed filter', () => {
    assert.deepEqual(findMatch('a.Json.json', ' json '), [2, 6]);
    assert.equal(findMatch('a.b', ''), null);
    assert.equal(findMatch('a.b', '   '), null);
  });
});
