/** Worker processes in results: the model keeps them, the texts name them. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { describeEngine, describeOutcome, engineTooltip } from '../src/format';
import { ModuleModel } from '../src/model';
import { IResult } from '../src/protocol';
import { example } from './examples';
import { trans } from './trans';

/** The example result that lists workers of every engine. */
const withWorkers = (): IResult =>
  example<IResult>('result', m => m.workers.length > 0);
const failed = (): IResult => example<IResult>('result', m => !m.ok);

describe('ModuleModel.workers', () => {
  let model: ModuleModel;

  beforeEach(() => {
    model = new ModuleModel();
  });

  it('keeps the engines of the last successful reload, through a failed one', () => {
    model.apply(withWorkers());
    assert.deepEqual(
      model.workers.map(e => [e.engine, e.current, e.behind]),
      [
        ['dask', 1, 1],
        ['loky', 2, 0],
        ['processes', 0, 1]
      ]
    );
    model.apply(failed());
    assert.equal(model.workers.length, 3);
    model.reset();
    assert.equal(model.workers.length, 0);
  });

  it('replaces them with the next result that lists workers, even none', () => {
    model.apply(withWorkers());
    model.apply({ ...withWorkers(), workers: [] });
    assert.equal(model.workers.length, 0);
  });
});

describe('worker texts', () => {
  it('says how many workers are behind after the reload line', () => {
    const text = describeOutcome(trans, { ok: true, result: withWorkers() });
    assert.equal(
      text,
      'Reloaded 1 module in 12 ms (1 ran changed statements): shapes.units; 2 workers are behind'
    );
  });

  it('counts each engine and names what is behind in the tooltip', () => {
    const [daskEngine, loky, processes] = withWorkers().workers;
    assert.equal(
      describeEngine(trans, daskEngine),
      'Dask tcp://127.0.0.1:8786: 1 current, 1 behind'
    );
    assert.equal(
      describeEngine(trans, loky),
      'joblib (loky): 2 current, 0 behind'
    );
    assert.equal(
      describeEngine(trans, processes),
      '1 other worker process cannot be reached and may run old code'
    );
    assert.match(
      engineTooltip(trans, daskEngine),
      /tcp:\/\/127\.0\.0\.1:40417: behind: .*line 3/
    );
  });
});
