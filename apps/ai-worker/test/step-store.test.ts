import { aiTaskSteps, asc } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { hashInput, StepStore } from '../src/agent/step-store.js';

describe('StepStore against a real database', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('ai_steps');
  });
  afterAll(() => testDb.drop());

  it('replays a step with the same input, and forgets it and later ones when the input changed', async () => {
    const store = new StepStore(testDb.database.db);
    const save = (index: number, input: unknown, output: unknown) =>
      store.save('t1', index, {
        kind: 'model',
        inputHash: hashInput(input),
        output,
        promptTokens: 3,
        completionTokens: 1,
      });
    await save(0, 'a', { content: 'Par\u0000is' });
    await save(1, 'b', 'second');
    await save(2, 'c', null);

    expect(await store.replay('t1', 0, hashInput('a'))).toEqual({
      output: { content: 'Par\u0000is' },
      promptTokens: 3,
      completionTokens: 1,
    });
    expect(await store.replay('t1', 2, hashInput('c'))).toMatchObject({ output: null });
    expect(await store.replay('t2', 0, hashInput('a'))).toBeUndefined();

    expect(await store.replay('t1', 1, hashInput('changed'))).toBeUndefined();
    const left = await testDb.database.db.select().from(aiTaskSteps).orderBy(asc(aiTaskSteps.stepIndex));
    expect(left.map((step) => step.stepIndex)).toEqual([0]);
  });
});
