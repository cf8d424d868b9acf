/** 企业开办 Start a business, through the service centre. */
import { describeBundle } from './scenarios.js';

const all = [
  'enterprise-registration',
  'seal-filing',
  'new-taxpayer',
  'employer-social-insurance',
  'employer-medical-insurance',
  'housing-fund-account',
  'bank-appointment',
];

describeBundle({
  code: 'business-startup',
  variants: [
    {
      name: 'LLC in leased premises: seals, invoices, hiring, bank appointment',
      items: all,
      visits: ['registration', 'seal', 'tax', 'socialInsurance', 'medicalInsurance', 'housingFund', 'bank'],
    },
    {
      name: 'individual business at a cluster address: no seals, no hiring, no bank appointment',
      answers: {
        entityType: 'individualBusiness',
        premises: 'cluster',
        sealTypes: [],
        invoices: 'none',
        hiring: false,
        bankAppointment: false,
      },
      data: { enterpriseType: 'individualBusiness' },
      items: [
        'enterprise-registration',
        'new-taxpayer',
        'employer-social-insurance',
        'employer-medical-insurance',
      ],
      avoids: ['seal', 'housingFund', 'bank'],
    },
    {
      name: 'registration refused: every later item ends as not handled',
      decisions: { 'enterprise-registration': 'reject' },
      items: all,
      terminated: all.slice(1),
      avoids: ['fanOut'],
    },
  ],
  supplement: {
    item: 'new-taxpayer',
    entries: [
      { fieldId: 'financeOfficer', problem: '财务负责人电话无法接通', requirement: '提供有效手机号码' },
    ],
    data: { financeOfficer: { name: '李四', idNumber: '11010519491231002X', mobile: '13912345679' } },
  },
  rejection: { item: 'seal-filing', terminated: [] },
  // Registration needs all its main materials; the test's copy lets the premises proof come late.
  deferral: { material: 'premisesProof', tweak: true },
});
