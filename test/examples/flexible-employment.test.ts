/** 灵活就业 Flexible employment registration, through the service centre. */
import { describeBundle } from './scenarios.js';

const all = [
  'flexible-employment-registration',
  'pension-enrolment',
  'medical-enrolment',
  'contribution-payment',
  'insurance-subsidy',
];

describeBundle({
  code: 'flexible-employment',
  variants: [
    {
      name: 'platform rider: pension and medical, bank deduction, subsidy',
      items: all,
      visits: ['registration', 'pension', 'medical', 'contribution', 'subsidy'],
      avoids: ['pensionTransfer'],
    },
    {
      name: 'part-time, household elsewhere, pension only with a transfer, pays in the app',
      answers: {
        employmentForm: 'partTime',
        hukouInCity: false,
        insurances: 'pensionOnly',
        insuredElsewhere: true,
        subsidyGroup: false,
        payMethod: 'selfPay',
      },
      items: ['flexible-employment-registration', 'pension-enrolment', 'pension-transfer'],
      visits: ['pension', 'pensionTransfer'],
      avoids: ['medical', 'contribution', 'subsidy'],
    },
    {
      name: 'registration only (no insurance chosen yet)',
      answers: { insurances: undefined, subsidyGroup: false, payMethod: 'selfPay' },
      items: ['flexible-employment-registration'],
      visits: ['registration'],
      avoids: ['pension', 'medical'],
    },
    {
      name: 'bank deduction chosen but no insurance: nothing to pay for, no contribution item',
      answers: { insurances: undefined, subsidyGroup: false, payMethod: 'bankDeduction' },
      items: ['flexible-employment-registration'],
      visits: ['registration'],
      avoids: ['pension', 'medical', 'contribution'],
    },
    {
      name: 'individual business without employees: its business licence is one of the materials',
      answers: { employmentForm: 'individualBusiness', subsidyGroup: false },
      items: [
        'flexible-employment-registration',
        'pension-enrolment',
        'medical-enrolment',
        'contribution-payment',
      ],
      visits: ['registration', 'pension', 'medical', 'contribution'],
      avoids: ['subsidy', 'pensionTransfer'],
    },
    {
      name: 'registration refused: no enrolment follows',
      decisions: { 'flexible-employment-registration': 'reject' },
      items: all,
      terminated: all.slice(1),
      avoids: ['pension', 'medical', 'subsidy'],
    },
  ],
  supplement: {
    item: 'pension-enrolment',
    entries: [
      {
        fieldId: 'startMonth',
        problem: '参保起始年月早于就业开始日期',
        requirement: '改为就业开始当月或之后',
      },
    ],
    data: { startMonth: '2026-04' },
  },
  rejection: { item: 'pension-enrolment', terminated: [] },
  deferral: { material: 'platformWorkEvidence' },
});
