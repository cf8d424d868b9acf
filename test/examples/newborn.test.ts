/** 新生儿出生 Newborn birth, through the service centre. */
import { describeBundle } from './scenarios.js';

const all = [
  'birth-certificate',
  'vaccination-certificate',
  'birth-registration',
  'medical-enrolment',
  'social-security-card',
];

describeBundle({
  code: 'newborn',
  variants: [
    {
      name: 'born in a city hospital, household here, parents married, insurance and card',
      items: all,
      visits: ['birthCertificate', 'vaccination', 'registration', 'medicalEnrolment', 'socialSecurityCard'],
      avoids: ['registrationReview'],
    },
    {
      name: 'born in another province: the paper certificate is checked with its issuer (special step)',
      answers: { birthPlace: 'outOfProvince', enrolMedical: false, wantCard: false },
      items: ['vaccination-certificate', 'birth-registration'],
      visits: ['registrationVerified', 'vaccination'],
      avoids: [
        'birthCertificate',
        'registration',
        'registrationReview',
        'medicalEnrolment',
        'socialSecurityCard',
      ],
    },
    {
      name: 'born in the province, parents not married: parentage reviewed at registration',
      answers: {
        birthPlace: 'provinceHospital',
        parentsMarried: false,
        enrolMedical: false,
        wantCard: false,
      },
      items: ['birth-certificate', 'vaccination-certificate', 'birth-registration'],
      visits: ['birthCertificate', 'registrationReview'],
      avoids: ['registration', 'registrationVerified', 'medicalEnrolment', 'socialSecurityCard'],
    },
    {
      name: 'household in another city: registered there, insurance and card here',
      answers: { hukouInCity: false, cardDelivery: 'bankOutlet' },
      items: ['birth-certificate', 'vaccination-certificate', 'medical-enrolment', 'social-security-card'],
      visits: ['birthCertificate', 'medicalEnrolment', 'socialSecurityCard'],
      avoids: ['registration', 'registrationReview', 'registrationVerified'],
    },
    {
      name: 'certificate refused: registration, insurance and card cannot follow',
      decisions: { 'birth-certificate': 'reject' },
      items: all,
      terminated: ['birth-registration', 'medical-enrolment', 'social-security-card'],
      avoids: ['registration', 'medicalEnrolment'],
    },
    {
      name: 'registration refused: no citizen ID number for insurance and card',
      decisions: { 'birth-registration': 'reject' },
      items: all,
      terminated: ['medical-enrolment', 'social-security-card'],
      avoids: ['medicalEnrolment', 'socialSecurityCard'],
    },
  ],
  supplement: {
    item: 'birth-registration',
    entries: [
      {
        materialId: 'householdBooklet',
        problem: '户口簿户主页不清晰',
        requirement: '重新扫描户主页和本人页',
      },
    ],
    materials: [{ id: 'householdBooklet', status: 'provided' }],
  },
  rejection: { item: 'birth-registration', terminated: ['medical-enrolment', 'social-security-card'] },
  deferral: { material: 'babyPhoto' },
});
