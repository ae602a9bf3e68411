import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('pads columns under upper-case headers, right-aligns numbers, and keeps each row on one line', () => {
    const rows = [
      { id: 'a', count: 5, note: 'two\nlines' },
      { id: 'longer-id', count: 120, note: '' },
    ];
    const table = renderTable(
      [
        { header: 'id', value: (row: (typeof rows)[number]) => row.id },
        { header: 'count', value: (row) => String(row.count), align: 'right' },
        { header: 'note', value: (row) => row.note },
      ],
      rows,
    );
    expect(table).toBe(
      ['ID         COUNT  NOTE', 'a              5  two lines', 'longer-id    120'].join('\n'),
    );
  });

  it('says (none) for no rows', () => {
    expect(renderTable([{ header: 'id', value: (row: string) => row }], [])).toBe('(none)');
  });
});

describe('renderFields', () => {
  it('aligns labels and leaves out empty values', () => {
    expect(
      renderFields([
        ['id', 'x'],
        ['error', undefined],
        ['status', 'done'],
        ['note', ''],
      ]),
    ).toBe('id      x\nstatus  done');
  });
});
