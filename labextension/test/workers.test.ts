/** Worker processes in the protocol (revision 1), the model and the texts. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { describeEngine, describeOutcome, engineTooltip } from '../src/format';
import { ModuleModel } from '../src/model';
import { IEngine, IResult, KernelMessage, parseKernelMessage } from '../src/protocol';
import { examples } from './examples';

/** The example result that lists workers of every engine. */
function exampleWithWorkers(): IResult {
  const found = examples.valid.kernel_to_panel.find(
    m => (m as { type?: string }).type === 'result' && Array.isArray((m as IResult).workers) &&
      (m as IResult).workers!.length > 0
  );
  assert.ok(found, 'the examples have a result with workers');
  return found as IResult;
}

const dask = (): IEngine => exampleWithWorkers().workers![0];

describe('result.workers in the protocol', () => {
  it('is optional: results of revision-0 kernels stay valid', () => {
    const { workers, ...older } = exampleWithWorkers();
    assert.ok(workers);
    assert.notEqual(parseKernelMessage(older), null);
  });

  const cases: Array<[string, unknown]> = [
    ['an engine without counts', { ...dask(), current: undefined }],
    ['a fractional count', { ...dask(), behind: 0.5 }],
    ['a detail without a message', { ...dask(), details: [{ worker: 'w', status: 'failed' }] }],
    ['a note that is a number', { ...dask(), note: 3 }]
  ];
  for (const [name, engine] of cases) {
    it(`rejects ${name}`, () => {
      assert.equal(parseKernelMessage({ ...exampleWithWorkers(), workers: [engine] }), null);
    });
  }

});

describe('ModuleModel.workers', () => {
  let model: ModuleModel;

  beforeEach(() => {
    model = new ModuleModel();
  });

  const failed = (): KernelMessage =>
    examples.valid.kernel_to_panel.find(
      m => (m as IResult).type === 'result' && (m as IResult).ok === false
    ) as KernelMessage;

  it('keeps the engines of the last successful reload, through a failed one', () => {
    model.apply(exampleWithWorkers());
    assert.deepEqual(model.workers.map(e => [e.engine, e.current, e.behind]), [
      ['dask', 1, 1],
      ['loky', 2, 0],
      ['processes', 0, 1]
    ]);
    model.apply(failed());
    assert.equal(model.workers.length, 3);
    model.reset();
    assert.equal(model.workers.length, 0);
  });

  it('replaces them with the next result that lists workers, even none', () => {
    model.apply(exampleWithWorkers());
    model.apply({ ...exampleWithWorkers(), workers: [] });
    assert.equal(model.workers.length, 0);
  });
});

describe('worker texts', () => {
  it('says how many workers are behind after the reload line', () => {
    const text = describeOutcome({
      ok: true,
      requestId: 'r1',
      seconds: 0.0123,
      order: ['a'],
      modules: [],
      skipped: [],
      workers: exampleWithWorkers().workers
    });
    assert.equal(text, 'Reloaded 1 module in 12 ms: a; 2 workers are behind');
  });

  it('counts each engine and names what is behind in the tooltip', () => {
    const [daskEngine, loky, processes] = exampleWithWorkers().workers!;
    assert.equal(describeEngine(daskEngine), 'Dask tcp://127.0.0.1:8786: 1 current, 1 behind');
    assert.equal(describeEngine(loky), 'joblib (loky): 2 current, 0 behind');
    assert.equal(
      describeEngine(processes),
      '1 other worker process cannot be reached and may run old code'
    );
    assert.match(engineTooltip(daskEngine), /tcp:\/\/127\.0\.0\.1:40417: behind: .*line 3/);
  });
});
