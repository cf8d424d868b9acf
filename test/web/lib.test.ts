/** Pure logic of the web app: CSV export, time-limit colours, problem mapping, form labels, notices, evaluation. */
import { csvCell, toCsv } from '../../engine/src/http/csv.js';
import { byDeadline, remainingText, timeStatusStyle } from '../../web/src/lib/time-status.js';
import { ApiError, fieldMessage, formErrors, formInstancePath } from '../../web/src/lib/problems.js';
import { formTranslator, localiseSchema } from '../../web/src/lib/form-labels.js';
import { commitmentText, correctionEntries } from '../../web/src/lib/notices.js';
import { evaluationTags, indicatorsFor } from '../../web/src/lib/evaluation.js';

describe('CSV export', () => {
  test('header, rows, CRLF and a BOM so Excel reads Chinese', () => {
    const csv = toCsv(
      [{ d: '税务局', n: 3 }],
      [
        { header: '部门', value: (r) => r.d },
        { header: '在办', value: (r) => r.n },
      ],
    );
    expect(csv).toBe('\uFEFF部门,在办\r\n税务局,3\r\n');
    expect(toCsv([], [{ header: 'a', value: () => 1 }], { bom: false })).toBe('a\r\n');
  });

  test('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  test('defuses formulas but keeps negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('-3')).toBe("'-3");
  });

  test('empty, non-finite, dates and objects', () => {
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe('time-limit colours', () => {
  test('normal green, yellow warning, red overdue; anything else neutral', () => {
    expect(timeStatusStyle('normal')).toMatchObject({ className: 'ts-normal', label: 'time.normal' });
    expect(timeStatusStyle('yellow')).toMatchObject({ className: 'ts-yellow', label: 'time.yellow' });
    expect(timeStatusStyle('red')).toMatchObject({
      className: 'ts-red',
      label: 'time.red',
      colour: '#c62828',
    });
    expect(timeStatusStyle(undefined).className).toBe('ts-none');
    expect(timeStatusStyle('purple').className).toBe('ts-none');
  });

  test('remaining working days read as days left, due today or overdue', () => {
    expect(remainingText(undefined)).toEqual({ key: 'time.noDeadline' });
    expect(remainingText(2)).toEqual({ key: 'time.daysLeft', n: 2 });
    expect(remainingText(0)).toEqual({ key: 'time.dueToday' });
    expect(remainingText(-1)).toEqual({ key: 'time.overdueBy', n: 1 });
  });

  test('sorted by deadline, undated last, red before yellow on a tie', () => {
    const rows = [
      { id: 'none' },
      { id: 'late', deadline: 300, timeStatus: 'normal' },
      { id: 'yellow', deadline: 100, timeStatus: 'yellow' },
      { id: 'red', deadline: 100, timeStatus: 'red' },
    ];
    expect(byDeadline(rows).map((r) => r.id)).toEqual(['red', 'yellow', 'late', 'none']);
    expect(rows[0]!.id).toBe('none'); // not sorted in place
  });
});

describe('API problems next to their fields', () => {
  const problem = new ApiError(422, {
    title: '提交的内容有误',
    zh: { title: '提交的内容有误', detail: '表单有 2 处需要更正' },
    en: { title: 'The request has invalid content', detail: 'the form has 2 problem(s) to correct' },
    errors: [
      {
        field: 'data.legalRepMobile',
        message: {
          zh: '法定代表人手机不是有效的手机号码',
          en: 'Legal representative mobile is not a valid mainland mobile number',
        },
      },
      { field: 'data.investors.0.name', message: { zh: '为必填项', en: 'is required' } },
      {
        field: 'materials.premisesProof',
        message: { zh: '缺少必要材料：住所使用证明', en: 'required material missing' },
      },
      { field: 'entries[0].problem', message: { zh: '请说明问题', en: 'describe the problem' } },
    ],
  });

  test('the summary in the reader language', () => {
    expect(problem.summary('zh')).toBe('提交的内容有误：表单有 2 处需要更正');
    expect(problem.summary('en')).toBe(
      'The request has invalid content：the form has 2 problem(s) to correct',
    );
  });

  test('unified-form fields become JSON Forms errors at their instance path', () => {
    expect(formInstancePath('data.investors[0].name')).toBe('/investors/0/name');
    expect(formInstancePath('materials.x')).toBeNull();
    const errors = formErrors(problem.fieldErrors, 'zh');
    expect(errors.map((e) => [e.instancePath, e.message])).toEqual([
      ['/legalRepMobile', '法定代表人手机不是有效的手机号码'],
      ['/investors/0/name', '为必填项'],
    ]);
  });

  test('other fields by name, including indexed entries', () => {
    expect(fieldMessage(problem.fieldErrors, 'materials.premisesProof', 'zh')).toBe(
      '缺少必要材料：住所使用证明',
    );
    expect(fieldMessage(problem.fieldErrors, 'entries[0]', 'en')).toBe('describe the problem');
    expect(fieldMessage(problem.fieldErrors, 'reason', 'zh')).toBeUndefined();
  });
});

describe('form labels', () => {
  const t = formTranslator(
    {
      i18n: { zh: { 'companyName.label': '企业名称' }, en: { 'companyName.label': 'Enterprise name' } },
      questions: [
        {
          id: 'premises',
          label: { zh: '住所情况', en: 'Premises' },
          options: [{ value: 'leased', label: { zh: '租赁', en: 'Leased' } }],
        },
      ],
    },
    'en',
  );
  test('bundle labels, situation options, code values, nested properties, JSON Forms controls', () => {
    expect(t('companyName.label', 'x')).toBe('Enterprise name');
    expect(t('situation.premises.leased', 'leased')).toBe('Leased');
    expect(t('legalRepIdType.residentId', 'residentId')).toBe('Resident ID card');
    expect(t('investors.idNumber.label', 'Id Number')).toBe('ID number');
    expect(t('investors.addTooltip', 'Add')).toBe('Add a row');
    expect(t('enum.none', 'None')).toBe('Choose…');
    // Error keys and unknown keys pass through, so JSON Forms keeps its own message.
    expect(t('companyName.error.required', undefined)).toBeUndefined();
    expect(t('unknown.thing', 'fallback')).toBe('fallback');
  });

  test('repeated groups get column titles in the reader language; top-level fields keep theirs', () => {
    const schema = {
      properties: {
        companyName: { type: 'string', title: '企业名称' },
        investors: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, idNumber: { type: 'string' } } },
        },
      },
    };
    const out = localiseSchema(schema, 'zh');
    expect(out.properties.investors.items.properties.idNumber).toEqual({ type: 'string', title: '证件号码' });
    expect(out.properties.companyName).toEqual({ type: 'string', title: '企业名称' });
    expect(schema.properties.investors.items.properties.idNumber).toEqual({ type: 'string' });
  });
});

describe('window texts', () => {
  test('the deferral commitment names each material and the days', () => {
    const text = commitmentText('deferral', 'zh', {
      bundle: '新生儿出生一件事',
      applicant: '张三',
      materials: ['婴儿照片', '户口簿'],
      days: 10,
    });
    expect(text).toContain('容缺受理承诺书');
    expect(text).toContain('1. 婴儿照片\n2. 户口簿');
    expect(text).toContain('10 个工作日');
    expect(
      commitmentText('proof', 'en', {
        bundle: 'Start a business',
        applicant: 'Zhang San',
        materials: ['Proof of premises'],
        days: 10,
      }),
    ).toMatch(/post-verification/);
  });

  test('one complete notice: every missing material, then each note line', () => {
    const entries = correctionEntries(
      [{ id: 'premisesProof', name: { zh: '住所使用证明', en: 'Proof of premises' } }],
      '签名不清\n\n  章程缺页 ',
      'zh',
    );
    expect(entries).toEqual([
      { materialId: 'premisesProof', problem: '未提交：住所使用证明', requirement: '请提交住所使用证明' },
      { problem: '签名不清' },
      { problem: '章程缺页' },
    ]);
  });
});

describe('evaluation', () => {
  test('online and window indicators differ; tags follow the level', () => {
    expect(indicatorsFor('qr').map((i) => i.id)).toEqual([
      'overall',
      'efficiency',
      'guideAccuracy',
      'convenience',
      'usability',
    ]);
    expect(indicatorsFor('window').map((i) => i.id)).toEqual([
      'overall',
      'efficiency',
      'serviceLevel',
      'attitude',
    ]);
    expect(evaluationTags(5).map((t) => t.id)).toContain('fast');
    expect(evaluationTags(1).map((t) => t.id)).toContain('slow');
    expect(evaluationTags(3).length).toBe(4);
  });
});
